import type { FastifyInstance } from 'fastify';
import type { DomainRoutes } from './http/contract-routes.js';
import { authenticate } from './plugins/authenticate.js';
import type { Services } from './services.js';

/**
 * The contract's routes. Every domain registers its part of the ts-rest router with
 * `registerContractRoutes` (http/contract-routes.ts); this plugin adds what all of them share: one
 * preHandler that authenticates the caller and checks the route's permission (both from the route's
 * metadata in the contract). Request validation errors are 400 problems (registerContractRoutes).
 */
export function apiRoutes(services: Services, domains: DomainRoutes[]) {
  return async (app: FastifyInstance): Promise<void> => {
    // Declared up front (http/caller.ts), so every request object keeps one shape.
    app.decorateRequest('caller', undefined);
    app.decorateRequest('rawBody', undefined);
    app.decorateRequest('platformCaller', undefined);
    app.addHook('preHandler', authenticate(services));
    // Each domain in its own scope: ts-rest's registerRouter sets an error handler on the
    // instance it is given, and handlers set on one scope would chain through each other.
    for (const register of domains) app.register(async (scope) => register(scope, services));
  };
}
