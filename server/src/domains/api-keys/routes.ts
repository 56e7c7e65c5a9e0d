import { contract } from '@enforcer/contract';
import { apiKeysHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * API keys (`POST`/`GET /api-keys`, `DELETE /api-keys/{id}`): the core's handlers
 * (server/core/src/api-keys/handlers.ts), over the PostgreSQL unit of work.
 */
export const apiKeysRoutes: DomainRoutes = (app, services) => {
  const { uow, clock, random } = services;
  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) =>
    registerCoreRoutes(scope, contract.apiKeys, apiKeysHandlers({ uow, clock, random })),
  );
};
