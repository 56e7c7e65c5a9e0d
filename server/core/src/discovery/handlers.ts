import {
  accessTokenClaimsSchema,
  type contract,
  type Jwks,
  type OpenIdConfiguration,
} from '@enforcer/contract';
import type { Handlers } from '../api/handlers.js';
import { SIGNING_ALG } from '../tokens/signing-keys.js';

/** The claims an access token carries: the contract's claims schema, less `nbf` (honoured, never minted). */
const claimsSupported = Object.keys(accessTokenClaimsSchema.shape).filter((claim) => claim !== 'nbf');

/**
 * The OpenID-style discovery document. Enforcer is not an OAuth authorization server: this says where the
 * keys are, which algorithm signs tokens and where the endpoints a verifier or a client needs live.
 * `issuer` is the API base URL, so `<issuer>/.well-known/...` resolves.
 */
export function openIdConfiguration(issuer: string, serviceDocumentation?: string): OpenIdConfiguration {
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
    claims_supported: claimsSupported,
    ...(serviceDocumentation ? { service_documentation: serviceDocumentation } : {}),
  };
}

export interface DiscoveryDeps {
  issuer: string;
  /** The published signing keys (the pending, current and retiring ones). */
  jwks(): Promise<Jwks>;
  /** Where people read the API's documentation (the server's Swagger UI; the mock has none). */
  serviceDocumentation?: string;
  /** How long clients may cache both documents (the server: while a pending key waits to sign). */
  cacheControl?: string;
}

/**
 * `GET /.well-known/jwks.json` and `GET /.well-known/openid-configuration`, under the base path and at the
 * host root alike (`rootContract.discovery` has the same routes).
 */
export function discoveryHandlers(deps: DiscoveryDeps): Handlers<typeof contract.discovery> {
  const configuration = openIdConfiguration(deps.issuer, deps.serviceDocumentation);
  const headers = deps.cacheControl ? { 'cache-control': deps.cacheControl } : undefined;
  return {
    jwks: async () => ({ status: 200, body: await deps.jwks(), ...(headers && { headers }) }),
    openIdConfiguration: async () => ({ status: 200, body: configuration, ...(headers && { headers }) }),
  };
}
