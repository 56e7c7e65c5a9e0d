import { contract, type Jwks, type OpenIdConfiguration, rootContract } from '@enforcer/contract';
import { SIGNING_ALG } from '@enforcer/core';
import type { Config } from '../../config.js';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { swaggerRoutes } from './swagger.js';

/** The claims an access token carries (docs/server.md, Tokens). */
const accessTokenClaims = [
  'iss',
  'aud',
  'sub',
  'person_id',
  'tenant_id',
  'sid',
  'roles',
  'groups',
  'amr',
  'grant_version',
  'iat',
  'exp',
  'jti',
];

/**
 * The OpenID-style discovery document. Enforcer is not an OAuth authorization server: this
 * says where the keys are, which algorithm signs tokens and where the endpoints a verifier
 * or a client needs live. `issuer` is the API base URL, so `<issuer>/.well-known/...` resolves.
 */
export function openIdConfiguration(config: Config): OpenIdConfiguration {
  const issuer = config.issuer;
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/auth/login`,
    token_refresh_endpoint: `${issuer}/auth/refresh`,
    revocation_endpoint: `${issuer}/auth/logout`,
    userinfo_endpoint: `${issuer}/auth/me`,
    authorization_decision_endpoint: `${issuer}/authorize`,
    authorization_filter_endpoint: `${issuer}/authorize/filter`,
    response_types_supported: ['token'],
    grant_types_supported: ['refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    access_token_signing_alg_values_supported: [SIGNING_ALG],
    token_endpoint_auth_methods_supported: ['none'],
    claims_supported: accessTokenClaims,
    service_documentation: `${new URL(issuer).origin}/swagger`,
  };
}

/**
 * Discovery: the JWKS and the OpenID-style configuration, under the base path and at the
 * host root (the same handlers, `rootContract`), plus the Swagger UI and the OpenAPI document.
 * Both discovery documents may be cached as long as a pending signing key is published before
 * it signs anything (`JWKS_MAX_AGE`): a verifier that refreshes that often always knows the key.
 */
export const discoveryRoutes: DomainRoutes = (app, services) => {
  const cacheControl = `public, max-age=${services.config.keys.jwksMaxAgeSeconds}`;
  const configuration = openIdConfiguration(services.config);

  type Reply = { header(name: string, value: string): unknown };
  const jwks = async (reply: Reply) => {
    const body = (await services.keys.getJwks()) as Jwks;
    reply.header('cache-control', cacheControl);
    return { status: 200 as const, body };
  };
  const openId = async (reply: Reply) => {
    reply.header('cache-control', cacheControl);
    return { status: 200 as const, body: configuration };
  };
  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => {
    registerContractRoutes(scope, contract.discovery, {
      jwks: ({ reply }) => jwks(reply),
      openIdConfiguration: ({ reply }) => openId(reply),
    });
  });
  app.register(async (scope) => {
    registerContractRoutes(scope, rootContract.discovery, {
      jwks: ({ reply }) => jwks(reply),
      openIdConfiguration: ({ reply }) => openId(reply),
    });
  });
  swaggerRoutes(app, services);
};
