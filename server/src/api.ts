import type { AppRouter } from '@ts-rest/core';
import { initServer, type RouterImplementation } from '@ts-rest/fastify';
import type { FastifyInstance } from 'fastify';
import { authenticate } from './plugins/authenticate.js';
import { handleRequestValidationError } from './plugins/error-handler.js';
import type { Services } from './services.js';

/**
 * The contract's routes. Every domain registers its part of the ts-rest router with
 * `registerContractRoutes`; this plugin adds what all of them share: one preHandler that
 * authenticates the caller and checks the route's permission (both from the route's
 * metadata in the contract), and request validation errors as 400 problems.
 */
export type DomainRoutes = (app: FastifyInstance, services: Services) => void;

export const tsRest = initServer();

/** Registers one domain's routes (`contract.groups` and its handlers) with the shared options. */
export function registerContractRoutes<T extends AppRouter>(
  app: FastifyInstance,
  router: T,
  handlers: RouterImplementation<T>,
): void {
  tsRest.registerRouter(router, handlers, app, {
    logInitialization: false,
    jsonQuery: false,
    responseValidation: false,
    requestValidationErrorHandler: handleRequestValidationError,
  });
}

export function apiRoutes(services: Services, domains: DomainRoutes[]) {
  return async (app: FastifyInstance): Promise<void> => {
    app.decorateRequest('principal', undefined);
    app.addHook('preHandler', authenticate(services));
    // Each domain in its own scope: ts-rest's registerRouter sets an error handler on the
    // instance it is given, and handlers set on one scope would chain through each other.
    for (const register of domains) app.register(async (scope) => register(scope, services));
  };
}
