import { contract } from '@enforcer/contract';
import { oauthHandlers, RemoteJwksCache } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { jwksFetcher } from './jwks-fetch.js';

/**
 * The OAuth 2.0 token services (#18): client credentials, introspection, revocation; the core's handlers
 * (server/core/src/oauth/handlers.ts), which authenticate their client themselves and answer OAuth errors.
 * Applications' `jwks_uri` keys are fetched SSRF-safely (`jwksFetcher`) and cached in this process.
 */
export const oauthRoutes: DomainRoutes = (app, services) => {
  const { uow, clock, accessTokens, config } = services;
  const remoteJwks = new RemoteJwksCache({
    fetch: jwksFetcher({ production: config.env === 'production' }),
    clock,
  });
  app.register(async (scope) =>
    registerCoreRoutes(
      scope,
      contract.oauth,
      oauthHandlers({ uow, clock, access: accessTokens, remoteJwks }),
    ),
  );
};
