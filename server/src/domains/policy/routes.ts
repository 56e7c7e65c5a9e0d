import { contract } from '@enforcer/contract';
import { policyHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * The tenant's policy (`GET`/`PUT /policy`) and decisions (`POST /authorize`, `POST /authorize/filter`):
 * the core's handlers (server/core/src/policy/handlers.ts), over the PostgreSQL unit of work.
 */
export const policyRoutes: DomainRoutes = (app, services) => {
  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) =>
    registerCoreRoutes(
      scope,
      contract.policy,
      policyHandlers(services.uow, (tenantId) => services.authorizeCalls.count(tenantId)),
    ),
  );
};
