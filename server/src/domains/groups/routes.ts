import { contract } from '@enforcer/contract';
import { groupsHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * Groups and memberships (`/groups`, `/directory/accounts/:id/groups`): the core's handlers
 * (server/core/src/groups/handlers.ts), over the PostgreSQL unit of work.
 */
export const groupsRoutes: DomainRoutes = (app, services) => {
  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => registerCoreRoutes(scope, contract.groups, groupsHandlers(services.uow)));
};
