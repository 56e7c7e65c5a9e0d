import { contract } from '@enforcer/contract';
import { accountsHandlers, impersonationHandlers, rolesHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * Accounts (list, get, role, status, unlock, sessions, impersonation) and the role catalog: the core's handlers
 * (server/core/src/accounts/handlers.ts, roles/handlers.ts), over the PostgreSQL unit of work.
 */
export const accountsRoutes: DomainRoutes = (app, services) => {
  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => registerCoreRoutes(scope, contract.roles, rolesHandlers(services.uow)));
  app.register(async (scope) =>
    registerCoreRoutes(scope, contract.accounts, {
      ...accountsHandlers(services.uow, {
        throttle: services.throttle,
        clock: services.clock,
        random: services.random,
        mail: services.mail,
        // Queued in the mail outbox with the invite, delivered by the worker (docs/messaging.md).
        outbox: services.messaging.outbox,
        onDeliveryFailure: (error) => app.log.error({ err: error }, 'provisioning: mail delivery failed'),
      }),
      ...impersonationHandlers({
        uow: services.uow,
        clock: services.clock,
        random: services.random,
        access: services.accessTokens,
      }),
    }),
  );
};
