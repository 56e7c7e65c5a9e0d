import type { PolicyDocument } from '@enforcer/contract/policy';
import { type Now, systemNow } from './clock';
import { VerifierError } from './errors';

/** Where an Enforcer deployment answers, and the API key (with `policy.read` / `revocations.read`) to ask with. */
export interface EnforcerEndpoint {
  /** The API base URL, e.g. `https://auth.example.com/api/v1/enforcer` (the issuer, usually). */
  baseUrl: string;
  /** An API key of the tenant (`enf_...`), sent as `X-API-Key`. Server side only. */
  apiKey: string;
}

/** Fetch the tenant's effective policy from `GET /policy`, revalidated with `If-None-Match`. */
export interface RemotePolicyOptions extends EnforcerEndpoint {
  /** Seconds between revalidations. Default 30. */
  refreshInterval?: number;
}

/** Poll `GET /revocations` so logouts, revoked sessions and grant changes apply offline. */
export interface RevocationFeedOptions extends EnforcerEndpoint {
  /** Seconds between polls. Default 5 (at most 60). */
  pollInterval?: number;
  /**
   * Seconds without a successful poll after which tokens are refused (`revocations_unavailable`),
   * since revocations may then be missed. Default 300; `Infinity` keeps accepting (fail open).
   */
  maxStaleness?: number;
  /** Changes per request (1..1000). Default 500. */
  pageSize?: number;
}

export interface JwksCacheOptions {
  /** Seconds a fetched JWKS is used before it is fetched again (in the background). Default 300. */
  maxAge?: number;
  /** Seconds between two fetches caused by an unknown `kid`. Default 30. */
  cooldown?: number;
  /**
   * Seconds after the last successful fetch during which the cached keys keep working while the JWKS
   * cannot be fetched (stale-while-error). Default 3600.
   */
  maxStale?: number;
}

/** The asymmetric JWS algorithms a verifier may be allowed to accept. `none` and HMAC never are. */
export const supportedAlgorithms = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const;
export type SupportedAlgorithm = (typeof supportedAlgorithms)[number];

/**
 * A JSON Web Key Set (RFC 7517), as `GET /.well-known/jwks.json` answers; jose's `JSONWebKeySet` is one.
 * Declared here, not imported from jose, so that the CommonJS types (.d.cts) never import jose, which is
 * ESM-only (TS1479 in a CommonJS TypeScript project).
 */
export interface JsonWebKeySet {
  keys: readonly JsonWebKeyLike[];
}

/** One key of a {@link JsonWebKeySet}: only public members are ever imported. */
export interface JsonWebKeyLike {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

export interface VerifierOptions {
  /** The `iss` tokens must carry (the server's `ENFORCER_ISSUER`). */
  issuer: string;
  /** The `aud` tokens must carry (the server's `ENFORCER_AUDIENCE`, `enforcer` by default). */
  audience: string;
  /** Where the keys are published (`<issuer>/.well-known/jwks.json`). Exactly one of `jwksUri` and `jwks`. */
  jwksUri?: string;
  /** The keys themselves (offline). */
  jwks?: JsonWebKeySet;
  jwksCache?: JwksCacheOptions;
  /** A policy document (offline: use `effective` of `GET /policy`), or where to fetch it. */
  policy: PolicyDocument | RemotePolicyOptions;
  /**
   * The revocation feed. Default: the same endpoint as a remote `policy`; none with a policy document.
   * `false`: none (a logout then only takes effect when the access token expires).
   */
  revocations?: RevocationFeedOptions | false;
  /** The tenant whose tokens are accepted. Required unless the revocation feed (which names it) is on. */
  tenantId?: string;
  /**
   * Accept applications' access tokens (client credentials, `POST /oauth/token`, #18) as well as accounts':
   * `verify` then answers a `ClientPrincipal` for them (`kind: 'client'`, `subject.kind = 'client'`, the
   * token's scopes as its grants). Default false: a client token is refused (`client_token`), so code
   * written for people never meets a principal without an account.
   */
  acceptClientTokens?: boolean;
  /** Accepted `alg` values. Default `['ES256']` (what Enforcer signs with). */
  algorithms?: SupportedAlgorithm[];
  /** Seconds of clock skew allowed for `exp`, `nbf` and `iat` (0..60). Default 10, as the server. */
  clockTolerance?: number;
  /** Longest token accepted, in characters. Default 8192 (the contract's bound). */
  maxTokenLength?: number;
  /**
   * Tokens already verified are remembered (keyed by the full token string) until they expire, so a
   * client that sends the same token again costs a lookup. Revocations still apply on every use.
   * Default `{ maxEntries: 10000 }`.
   */
  tokenCache?: { maxEntries?: number } | false;
  /** Poll the JWKS, policy and feed on timers (default true). Without, call `refresh()` yourself. */
  autoRefresh?: boolean;
  /** Allow `http:` URLs to hosts other than loopback (never do this in production). Default false. */
  allowInsecureHttp?: boolean;
  /** Seconds before a request to Enforcer is abandoned. Default 5. */
  requestTimeout?: number;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** The clock, in epoch milliseconds (tests). */
  now?: Now;
  /** Told about background failures (a poll that failed, a policy that does not compile). */
  onError?: (error: Error, source: 'jwks' | 'policy' | 'revocations') => void;
}

export interface ResolvedEndpoint {
  baseUrl: string;
  apiKey: string;
}

export interface ResolvedOptions {
  issuer: string;
  audience: string;
  jwks:
    | { kind: 'local'; jwks: JsonWebKeySet }
    | { kind: 'remote'; uri: string; maxAgeMs: number; cooldownMs: number; maxStaleMs: number };
  policy:
    | { kind: 'document'; document: PolicyDocument }
    | { kind: 'remote'; endpoint: ResolvedEndpoint; refreshMs: number };
  revocations:
    | { endpoint: ResolvedEndpoint; pollMs: number; maxStalenessMs: number; pageSize: number }
    | undefined;
  tenantId: string | undefined;
  acceptClientTokens: boolean;
  algorithms: ReadonlySet<string>;
  clockToleranceSec: number;
  maxTokenLength: number;
  tokenCacheSize: number;
  autoRefresh: boolean;
  requestTimeoutMs: number;
  fetch: typeof fetch;
  now: Now;
  onError: (error: Error, source: 'jwks' | 'policy' | 'revocations') => void;
}

const invalid = (message: string) => new VerifierError('invalid_options', message);

const seconds = (name: string, value: unknown, fallback: number, min: number, max: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw invalid(`${name} must be a number of seconds between ${min} and ${max}`);
  }
  return value;
};

const isLoopback = (host: string) =>
  host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

function checkUrl(name: string, value: unknown, allowInsecureHttp: boolean): string {
  if (typeof value !== 'string') throw invalid(`${name} must be a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${name} must be a URL`);
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && (allowInsecureHttp || isLoopback(url.hostname)))
  ) {
    throw invalid(`${name} must be an https URL (http only to localhost, or with allowInsecureHttp)`);
  }
  if (url.username || url.password) throw invalid(`${name} must not carry credentials`);
  return url.toString();
}

function endpoint(name: string, value: EnforcerEndpoint, allowInsecureHttp: boolean): ResolvedEndpoint {
  const baseUrl = checkUrl(`${name}.baseUrl`, value.baseUrl, allowInsecureHttp).replace(/\/+$/, '');
  if (typeof value.apiKey !== 'string' || value.apiKey.trim() === '') {
    throw invalid(`${name}.apiKey is required to call ${baseUrl}`);
  }
  return { baseUrl, apiKey: value.apiKey.trim() };
}

const isRemotePolicy = (policy: unknown): policy is RemotePolicyOptions =>
  typeof policy === 'object' && policy !== null && 'baseUrl' in policy;

/** Checks every option once, at `createVerifier`; anything refused is `invalid_options`. */
export function resolveOptions(options: VerifierOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options are required');
  const allowInsecureHttp = options.allowInsecureHttp === true;
  if (typeof options.issuer !== 'string' || options.issuer === '') throw invalid('issuer is required');
  if (typeof options.audience !== 'string' || options.audience === '') throw invalid('audience is required');

  const algorithms = options.algorithms ?? ['ES256'];
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw invalid('algorithms must not be empty');
  for (const alg of algorithms) {
    if (!(supportedAlgorithms as readonly string[]).includes(alg)) {
      throw invalid(
        `algorithm ${JSON.stringify(alg)} is not allowed: only asymmetric ones (${supportedAlgorithms.join(', ')})`,
      );
    }
  }

  let jwks: ResolvedOptions['jwks'];
  if ((options.jwksUri === undefined) === (options.jwks === undefined)) {
    throw invalid('exactly one of jwksUri and jwks is required');
  }
  if (options.jwks !== undefined) {
    if (typeof options.jwks !== 'object' || options.jwks === null || !Array.isArray(options.jwks.keys)) {
      throw invalid('jwks must be a JSON Web Key Set ({ keys: [...] })');
    }
    jwks = { kind: 'local', jwks: options.jwks };
  } else {
    const cache = options.jwksCache ?? {};
    jwks = {
      kind: 'remote',
      uri: checkUrl('jwksUri', options.jwksUri, allowInsecureHttp),
      maxAgeMs: seconds('jwksCache.maxAge', cache.maxAge, 300, 1, 86_400) * 1000,
      cooldownMs: seconds('jwksCache.cooldown', cache.cooldown, 30, 0, 3600) * 1000,
      maxStaleMs: seconds('jwksCache.maxStale', cache.maxStale, 3600, 0, 7 * 86_400) * 1000,
    };
  }

  let policy: ResolvedOptions['policy'];
  if (isRemotePolicy(options.policy)) {
    policy = {
      kind: 'remote',
      endpoint: endpoint('policy', options.policy, allowInsecureHttp),
      refreshMs: seconds('policy.refreshInterval', options.policy.refreshInterval, 30, 0.01, 3600) * 1000,
    };
  } else if (typeof options.policy === 'object' && options.policy !== null) {
    policy = { kind: 'document', document: options.policy };
  } else {
    throw invalid('policy is required: a policy document, or { baseUrl, apiKey } to fetch it');
  }

  let revocations: ResolvedOptions['revocations'];
  const feed =
    options.revocations === undefined
      ? policy.kind === 'remote'
        ? { baseUrl: policy.endpoint.baseUrl, apiKey: policy.endpoint.apiKey }
        : undefined
      : options.revocations === false
        ? undefined
        : options.revocations;
  if (feed) {
    const pageSize = feed.pageSize ?? 500;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw invalid('revocations.pageSize must be an integer between 1 and 1000');
    }
    revocations = {
      endpoint: endpoint('revocations', feed, allowInsecureHttp),
      pollMs: seconds('revocations.pollInterval', feed.pollInterval, 5, 0.01, 60) * 1000,
      maxStalenessMs: seconds('revocations.maxStaleness', feed.maxStaleness, 300, 0, Infinity) * 1000,
      pageSize,
    };
  }

  if (options.tenantId !== undefined && (typeof options.tenantId !== 'string' || options.tenantId === '')) {
    throw invalid('tenantId must be a non-empty string');
  }
  if (options.tenantId === undefined && !revocations) {
    throw invalid(
      'tenantId is required without the revocation feed: a token of another tenant must not be decided with this policy',
    );
  }

  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256 || maxTokenLength > 65_536) {
    throw invalid('maxTokenLength must be an integer between 256 and 65536');
  }
  const cacheOption = options.tokenCache ?? {};
  const tokenCacheSize = cacheOption === false ? 0 : (cacheOption.maxEntries ?? 10_000);
  if (!Number.isInteger(tokenCacheSize) || tokenCacheSize < 0 || tokenCacheSize > 10_000_000) {
    throw invalid('tokenCache.maxEntries must be an integer between 0 and 10000000');
  }
  // The global fetch is looked up at each call, not now: a test that installs MSW (or any fetch
  // interceptor) after creating the verifier at module scope must still be heard.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  if (
    options.fetch === undefined &&
    typeof globalThis.fetch !== 'function' &&
    (jwks.kind === 'remote' || policy.kind === 'remote' || revocations)
  ) {
    throw invalid('no fetch available: pass options.fetch');
  }

  return {
    issuer: options.issuer,
    audience: options.audience,
    jwks,
    policy,
    revocations,
    tenantId: options.tenantId,
    acceptClientTokens: options.acceptClientTokens === true,
    algorithms: new Set(algorithms),
    clockToleranceSec: seconds('clockTolerance', options.clockTolerance, 10, 0, 60),
    maxTokenLength,
    tokenCacheSize,
    autoRefresh: options.autoRefresh !== false,
    requestTimeoutMs: seconds('requestTimeout', options.requestTimeout, 5, 0.01, 120) * 1000,
    fetch: fetchImpl,
    now: options.now ?? systemNow,
    onError: options.onError ?? (() => {}),
  };
}
