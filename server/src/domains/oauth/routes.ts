import { contract } from '@enforcer/contract';
import { oauthHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * The OAuth 2.0 token services (#18): client credentials, introspection, revocation; the core's handlers
 * (server/core/src/oauth/handlers.ts), which authenticate their client themselves and answer OAuth errors.
 */
export const oauthRoutes: DomainRoutes = (app, services) => {
  const { uow, clock, accessTokens } = services;
  app.register(async (scope) =>
    registerCoreRoutes(scope, contract.oauth, oauthHandlers({ uow, clock, access: accessTokens })),
  );
};
