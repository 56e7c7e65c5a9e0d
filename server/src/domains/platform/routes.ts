import { contract } from '@enforcer/contract';
import { platformHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * The deployment operator's routes (`contract.platform`): the core's handlers (server/core/src/operator)
 * over the PostgreSQL unit of work. The authenticate plugin lets only a platform key through.
 */
export const platformRoutes: DomainRoutes = (app, services) => {
  const handlers = platformHandlers({ uow: services.uow, clock: services.clock });
  app.register(async (scope) => registerCoreRoutes(scope, contract.platform, handlers));
};
