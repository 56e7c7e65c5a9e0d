import { APPLE_ISSUER, MICROSOFT_LOGIN, type OAuthProviderKind } from '@enforcer/contract';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { type ProofResult, refuseProof } from '../methods/result.js';
import { type Clock, webCryptoHashing } from '../platform.js';
import { type AppleSettings, appleClientSecret, appleEmailVerified, appleEndpoints } from './apple.js';
import type { OidcClaims } from './claims.js';
import {
  GITHUB_EMAIL_SCOPE,
  GITHUB_ENDPOINTS,
  type GitHubEndpoints,
  githubApiHeaders,
  githubIdentity,
} from './github.js';
import {
  checkMicrosoftDirectory,
  expectedMicrosoftIssuer,
  type MicrosoftSettings,
  microsoftEmailVerified,
  microsoftEndpoints,
  microsoftIssuer,
} from './microsoft.js';

export type { OidcClaims } from './claims.js';

/** What the flow needs of one provider: its kind, its issuer and the tenant's client there. */
export interface OAuthClientConfig {
  kind: OAuthProviderKind;
  issuer: string;
  clientId: string;
  /** Opened for the call; null for a public client. Apple: the private key's PEM. */
  clientSecret: string | null;
  tokenEndpointAuth: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** `microsoft`: the sign-in audience and the directories accepted. */
  microsoft?: MicrosoftSettings;
  /** `apple`: the team and key ids the client secret JWT is made with. */
  apple?: AppleSettings;
}

/**
 * The protocol work of the authorization code flow, over panva's `oauth4webapi` (WebCrypto and fetch, so it
 * runs on the server and in the mock): discovery, the authorization URL with PKCE S256, state and nonce, the
 * callback's parameters (state, RFC 9207 `iss`), the code exchange with the client's authentication, and
 * the ID token (issuer, audience, `azp`, expiry, nonce, and its signature against the provider's JWKS).
 * Nothing of it is written by hand here.
 */
export interface OAuthProviderClient {
  authorizationUrl(
    config: OAuthClientConfig,
    input: { redirectUri: string; scopes: string[]; state: string; nonce: string; codeVerifier: string },
  ): Promise<string>;
  /** The callback's URL parameters → the ID token's claims, or a refusal. */
  complete(
    config: OAuthClientConfig,
    input: {
      params: URLSearchParams;
      state: string;
      nonce: string;
      codeVerifier: string;
      redirectUri: string;
    },
  ): Promise<ProofResult<OidcClaims>>;
}

/** Fresh secrets for one transaction: the library's generators (32 random bytes each). */
export const newFlowSecrets = () => ({
  state: oauth.generateRandomState(),
  nonce: oauth.generateRandomNonce(),
  codeVerifier: oauth.generateRandomCodeVerifier(),
});

export interface OAuthProviderClientOptions {
  clock: Clock;
  /** Plain-http issuers (tests and local development only; never in production). */
  allowInsecureRequests?: boolean;
  /** Seconds a discovery document is reused; default 600. */
  discoveryTtlSeconds?: number;
  /** Seconds each request to a provider may take; default 10. */
  timeoutSeconds?: number;
  /**
   * Where the presets' fixed providers are reached (default: the real ones). Tests only: the server accepts
   * an override only with NODE_ENV=test. The identities stay qualified by the real issuers.
   */
  endpoints?: { github?: GitHubEndpoints; microsoft?: string; apple?: string };
  /** The fetch the library uses (tests: answers without a network); default the global fetch. */
  fetch?: typeof fetch;
}

/**
 * RFC 7636's S256 challenge, base64url(SHA-256(verifier)), as `oauth.calculatePKCECodeChallenge` makes it,
 * but with the digest's bytes read through a `Uint8Array` of this realm. The library tests the digest with
 * `instanceof ArrayBuffer`, which is false where WebCrypto and the global `ArrayBuffer` come from two realms
 * (vitest's jsdom environment, where the mock runs in customers' tests: `input.subarray is not a function`).
 * The verifier itself is still the library's (`newFlowSecrets`), as are the token request and the checks.
 */
export const pkceChallenge = (codeVerifier: string) => webCryptoHashing.sha256(codeVerifier);

/** An issuer no ID token carries (`iss` must be a URL). */
const NO_ISSUER = 'urn:enforcer:no-acceptable-issuer';

const microsoftSettings = (config: OAuthClientConfig): MicrosoftSettings =>
  config.microsoft ?? { tenant: 'common', allowedTenantIds: [] };

const refused = (reason: string, detail: string) => refuseProof('provider_token_invalid', reason, detail);

/** Builds the `OAuthProviderClient` over oauth4webapi, with a per-issuer discovery and JWKS cache. */
export function oauth4webapiClient(options: OAuthProviderClientOptions): OAuthProviderClient {
  const insecure = options.allowInsecureRequests === true;
  const ttl = (options.discoveryTtlSeconds ?? 600) * 1000;
  const timeout = (options.timeoutSeconds ?? 10) * 1000;
  const discovered = new Map<
    string,
    { as: oauth.AuthorizationServer; at: number; jwks: oauth.JWKSCacheInput }
  >();
  const github = options.endpoints?.github ?? GITHUB_ENDPOINTS;
  const http = () => ({
    signal: AbortSignal.timeout(timeout),
    ...(insecure && { [oauth.allowInsecureRequests]: true }),
    ...(options.fetch && { [oauth.customFetch]: options.fetch }),
  });
  const fetchJson = async (url: URL, headers: Headers) => {
    const response = await (options.fetch ?? fetch)(url.href, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeout),
    });
    if (response.status !== 200) throw new ProviderApiError(url.pathname, response.status);
    return (await response.json()) as unknown;
  };

  /** GitHub's authorization server, as GitHub documents it (it publishes no metadata). */
  const githubServer = (): oauth.AuthorizationServer => ({
    issuer: GITHUB_ENDPOINTS.web,
    authorization_endpoint: `${github.web}/login/oauth/authorize`,
    token_endpoint: `${github.web}/login/oauth/access_token`,
  });

  const microsoftLogin = options.endpoints?.microsoft ?? MICROSOFT_LOGIN;
  const microsoftServers = new Map<string, { as: oauth.AuthorizationServer; jwks: oauth.JWKSCacheInput }>();

  /**
   * Microsoft's authorization server for a sign-in audience, from its documented endpoints (its
   * multi-tenant discovery documents publish a templated issuer no library accepts as is).
   */
  const microsoftServer = (settings: MicrosoftSettings) => {
    let entry = microsoftServers.get(settings.tenant);
    if (!entry) {
      entry = {
        as: {
          issuer: microsoftIssuer(settings.tenant),
          ...microsoftEndpoints(microsoftLogin, settings.tenant),
        },
        jwks: {} as oauth.JWKSCacheInput,
      };
      microsoftServers.set(settings.tenant, entry);
    }
    return entry;
  };

  /**
   * The authorization server the token response is validated against. For Microsoft's multi-tenant
   * audiences, the issuer the ID token must carry is the template with the token's own `tid` (read from
   * the token before validation, then checked by the library with everything else: `iss` equal to it,
   * audience, nonce, expiry, signature). A token without a usable `tid` gets an issuer no token carries.
   */
  async function tokenServer(
    config: OAuthClientConfig,
    as: oauth.AuthorizationServer,
    response: Response,
  ): Promise<oauth.AuthorizationServer> {
    if (config.kind !== 'microsoft') return as;
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { id_token?: unknown } | null;
    let tid: unknown;
    try {
      if (typeof body?.id_token === 'string') tid = decodeJwt(body.id_token).tid;
    } catch {
      tid = undefined;
    }
    const expected = expectedMicrosoftIssuer(microsoftSettings(config), { tid });
    return { ...as, issuer: expected ?? NO_ISSUER };
  }

  /** Apple's authorization server, from its documented endpoints (the issuer stays Apple's). */
  const appleServer = {
    as: { issuer: APPLE_ISSUER, ...appleEndpoints(options.endpoints?.apple ?? APPLE_ISSUER) },
    jwks: {} as oauth.JWKSCacheInput,
  };

  /** The OpenID provider: Microsoft's or Apple's preset, or discovery at the issuer. */
  async function oidcServer(config: OAuthClientConfig) {
    if (config.kind === 'microsoft') return microsoftServer(microsoftSettings(config));
    if (config.kind === 'apple') return appleServer;
    return server(config.issuer);
  }

  async function server(issuer: string) {
    const now = Date.now();
    const cached = discovered.get(issuer);
    if (cached && now - cached.at < ttl) return cached;
    const url = new URL(issuer);
    const response = await oauth.discoveryRequest(url, { ...http(), algorithm: 'oidc' });
    const as = await oauth.processDiscoveryResponse(url, response);
    const entry = { as, at: now, jwks: {} as oauth.JWKSCacheInput };
    discovered.set(issuer, entry);
    return entry;
  }

  const clientAuth = async (config: OAuthClientConfig): Promise<oauth.ClientAuth> => {
    if (config.kind === 'apple') {
      if (!config.apple || config.clientSecret === null) throw new Error('Apple needs its key');
      // A fresh ES256 client secret JWT for this exchange, in the body as Apple documents.
      return oauth.ClientSecretPost(
        await appleClientSecret({
          settings: config.apple,
          clientId: config.clientId,
          privateKeyPem: config.clientSecret,
          now: options.clock.now(),
        }),
      );
    }
    if (config.tokenEndpointAuth === 'none' || config.clientSecret === null) return oauth.None();
    return config.tokenEndpointAuth === 'client_secret_post'
      ? oauth.ClientSecretPost(config.clientSecret)
      : oauth.ClientSecretBasic(config.clientSecret);
  };

  /** GitHub: the code for an access token (PKCE, client authentication), then `GET /user` and `/user/emails`. */
  async function completeGitHub(
    config: OAuthClientConfig,
    input: Parameters<OAuthProviderClient['complete']>[1],
  ): Promise<ProofResult<OidcClaims>> {
    const as = githubServer();
    const client: oauth.Client = { client_id: config.clientId };
    try {
      const params = oauth.validateAuthResponse(as, client, input.params, input.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        await clientAuth(config),
        params,
        input.redirectUri,
        input.codeVerifier,
        http(),
      );
      // GitHub answers a refused code with 200 and an OAuth error body.
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { error?: unknown } | null;
      if (response.status === 200 && typeof body?.error === 'string') {
        return refused(
          `token_endpoint_${body.error}`,
          `The provider's token endpoint refused the code: ${body.error}`,
        );
      }
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      const headers = () => {
        const h = githubApiHeaders();
        h.set('authorization', `Bearer ${tokens.access_token}`);
        return h;
      };
      const user = await fetchJson(new URL('/user', github.api), headers());
      const emails = await fetchJson(new URL('/user/emails', github.api), headers());
      return githubIdentity(user, emails);
    } catch (error) {
      return { ...protocolRefusal(error), cause: error };
    }
  }

  return {
    async authorizationUrl(config, input) {
      if (config.kind === 'github') {
        const url = new URL(githubServer().authorization_endpoint!);
        const scopes = [...new Set([...input.scopes, GITHUB_EMAIL_SCOPE])];
        url.searchParams.set('response_type', 'code');
        url.searchParams.set('client_id', config.clientId);
        url.searchParams.set('redirect_uri', input.redirectUri);
        url.searchParams.set('scope', scopes.join(' '));
        url.searchParams.set('state', input.state);
        url.searchParams.set('code_challenge', await pkceChallenge(input.codeVerifier));
        url.searchParams.set('code_challenge_method', 'S256');
        url.searchParams.set('allow_signup', 'true');
        return url.href;
      }
      const { as } = await oidcServer(config);
      if (!as.authorization_endpoint) throw new Error(`${config.issuer} has no authorization endpoint`);
      const url = new URL(as.authorization_endpoint);
      // Apple's scopes are `name email` only (its ID token comes without `openid`).
      const scopes =
        config.kind === 'apple' ? input.scopes : ['openid', ...input.scopes.filter((s) => s !== 'openid')];
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('redirect_uri', input.redirectUri);
      url.searchParams.set('scope', scopes.join(' '));
      url.searchParams.set('state', input.state);
      url.searchParams.set('nonce', input.nonce);
      url.searchParams.set('code_challenge', await pkceChallenge(input.codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
      // Apple posts its answer back (required when it is asked for the name or the email).
      if (config.kind === 'apple') url.searchParams.set('response_mode', 'form_post');
      return url.href;
    },

    async complete(config, input) {
      if (config.kind === 'github') return completeGitHub(config, input);
      let entry: { as: oauth.AuthorizationServer; jwks: oauth.JWKSCacheInput };
      try {
        entry = await oidcServer(config);
      } catch (error) {
        return {
          ...refuseProof('unavailable', 'discovery_failed', 'The provider could not be reached'),
          cause: error,
        };
      }
      const { as } = entry;
      const client: oauth.Client = {
        client_id: config.clientId,
        [oauth.clockSkew]: Math.round((options.clock.now().getTime() - Date.now()) / 1000),
      };
      try {
        const params = oauth.validateAuthResponse(as, client, input.params, input.state);
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          await clientAuth(config),
          params,
          input.redirectUri,
          input.codeVerifier,
          http(),
        );
        const issuedBy = await tokenServer(config, as, response);
        const result = await oauth.processAuthorizationCodeResponse(issuedBy, client, response, {
          expectedNonce: input.nonce,
          requireIdToken: true,
        });
        // Not mandatory over TLS by the specification, but required here: the ID token must be signed by
        // one of the provider's published keys.
        await oauth.validateApplicationLevelSignature(issuedBy, response, {
          ...http(),
          [oauth.jwksCache]: entry.jwks,
        });
        const claims = oauth.getValidatedIdTokenClaims(result)!;
        let emailVerified = claims.email_verified === true;
        if (config.kind === 'microsoft') {
          const refusal = checkMicrosoftDirectory(microsoftSettings(config), claims.tid);
          if (refusal) return refusal;
          emailVerified = microsoftEmailVerified(claims);
        }
        if (config.kind === 'apple') emailVerified = appleEmailVerified(claims);
        const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
        return {
          ok: true,
          value: {
            issuer: claims.iss,
            sub: claims.sub,
            ...(email && email.length <= 254 && { email }),
            emailVerified,
          },
        };
      } catch (error) {
        return { ...protocolRefusal(error), cause: error };
      }
    },
  };
}

/** A provider API (GitHub's `/user`, `/user/emails`) answered other than 200. */
class ProviderApiError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
  ) {
    super(`${path} answered ${status}`);
  }
}

/** A failure of the provider's answer, named for the audit log; the provider being down is `unavailable`. */
function protocolRefusal(error: unknown) {
  if (error instanceof ProviderApiError) {
    // 401/403/404: the token does not reach the resource (a revoked grant, a scope not given).
    if (error.status >= 400 && error.status < 500) {
      return refused(
        `api_${error.status}`,
        `The provider did not answer ${error.path} for this sign-in (${error.status})`,
      );
    }
    return refuseProof(
      'unavailable',
      'provider_unreachable',
      'The provider could not be reached; try again shortly',
    );
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return refused(`provider_error_${error.error}`, `The provider refused: ${error.error}`);
  }
  if (error instanceof oauth.ResponseBodyError) {
    return refused(
      `token_endpoint_${error.error}`,
      `The provider's token endpoint refused the code: ${error.error}`,
    );
  }
  if (error instanceof oauth.OperationProcessingError) {
    const message = error.message.toLowerCase();
    if (message.includes('nonce'))
      return refused('nonce_mismatch', "The ID token's nonce is not this sign-in's");
    if (message.includes('"aud"') || message.includes('audience'))
      return refused('wrong_audience', 'The ID token is not for this client');
    if (message.includes('"azp"')) return refused('wrong_azp', 'The ID token was issued to another client');
    if (message.includes('"iss"') || message.includes('issuer'))
      return refused('wrong_issuer', 'The ID token was not issued by this provider');
    if (error.code === oauth.KEY_SELECTION || message.includes('signature'))
      return refused('bad_signature', "The ID token's signature does not verify with the provider's keys");
    if (error.code === oauth.JWT_TIMESTAMP_CHECK) return refused('expired', 'The ID token has expired');
    return refused('invalid_response', `The provider's answer is not acceptable: ${error.message}`);
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return refused('unsupported', `The provider's answer is not supported: ${error.message}`);
  }
  return refuseProof(
    'unavailable',
    'provider_unreachable',
    'The provider could not be reached; try again shortly',
  );
}
