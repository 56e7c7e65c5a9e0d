import { contract } from '@enforcer/contract';
import { acceptsSession, tenantsHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * Tenants (`contract.tenants`): the core's handlers (server/core/src/tenants/handlers.ts, self-serve in
 * self-serve.ts) over the PostgreSQL unit of work.
 */
export const tenantsRoutes: DomainRoutes = (app, services) => {
  const handlers = tenantsHandlers(services.uow, {
    allowSelfServe: services.config.allowSelfServe,
    clock: services.clock,
    random: services.random,
    acceptsSession: (authProviders, amr) => acceptsSession(services.signInMethods, authProviders, amr),
    oauthSecrets: services.oauthSecrets,
    otp: services.otpService,
    sessions: services.authSessions,
    mail: services.mail,
    // Queued in the mail outbox with the invite, delivered by the worker (docs/messaging.md).
    outbox: services.messaging.outbox,
    onDeliveryFailure: (error) => app.log.error({ err: error }, 'invite: mail delivery failed'),
  });
  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => registerCoreRoutes(scope, contract.tenants, handlers));
};
