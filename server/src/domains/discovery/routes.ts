import { contract, type Jwks, rootContract } from '@enforcer/contract';
import { discoveryHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { swaggerRoutes } from './swagger.js';

/**
 * Discovery: the JWKS and the OpenID-style configuration, under the base path and at the
 * host root (the same handlers, `rootContract`), plus the Swagger UI and the OpenAPI document.
 * Both discovery documents may be cached as long as a pending signing key is published before
 * it signs anything (`JWKS_MAX_AGE`): a verifier that refreshes that often always knows the key.
 */
export const discoveryRoutes: DomainRoutes = (app, services) => {
  const { issuer } = services.config;
  const handlers = discoveryHandlers({
    issuer,
    jwks: async () => (await services.keys.getJwks()) as Jwks,
    serviceDocumentation: `${new URL(issuer).origin}/swagger`,
    cacheControl: `public, max-age=${services.config.keys.jwksMaxAgeSeconds}`,
  });
  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => registerCoreRoutes(scope, contract.discovery, handlers));
  app.register(async (scope) => registerCoreRoutes(scope, rootContract.discovery, handlers));
  swaggerRoutes(app, services);
};
