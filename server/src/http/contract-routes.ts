import type { AppRouter } from '@ts-rest/core';
import { initServer, type RouterImplementation } from '@ts-rest/fastify';
import type { FastifyInstance } from 'fastify';
import { handleRequestValidationError } from './request-validation.js';

/**
 * A domain's part of the contract: it registers its routers with `registerContractRoutes`. `services` is
 * the app's decoration (typed where app.ts declares it), so this layer does not import the services.
 */
export type DomainRoutes = (app: FastifyInstance, services: FastifyInstance['services']) => void;

export const tsRest = initServer();

/** Registers one domain's routes (`contract.groups` and its handlers) with the shared options. */
export function registerContractRoutes<T extends AppRouter>(
  app: FastifyInstance,
  router: T,
  handlers: RouterImplementation<T>,
): void {
  // A scope of its own: ts-rest's registerRouter sets an error handler on the instance it is given, and a
  // domain that registers two routers would set it twice in one scope (Fastify warns, FSTWRN004).
  app.register(async (scope) => {
    tsRest.registerRouter(router, handlers, scope, {
      logInitialization: false,
      jsonQuery: false,
      responseValidation: false,
      requestValidationErrorHandler: handleRequestValidationError,
    });
  });
}
