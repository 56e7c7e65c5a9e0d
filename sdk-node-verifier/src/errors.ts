/**
 * The one error family of the verifier: every failure carries a `code` from this closed list.
 * Callers (and the middleware) switch on `code`, never on the message.
 */
export const verifierErrorCodes = [
  /** Not a compact JWS we can read: segments, base64url, UTF-8, JSON, or the claims' shape. */
  'malformed',
  /** Longer than `maxTokenLength`. */
  'token_too_large',
  /** `alg` outside the allowlist (`none` and HMAC never are in it). */
  'disallowed_algorithm',
  /** A header that could point verification elsewhere (`jku`, `x5u`, `jwk`, `x5c`) or `crit`/`b64`. */
  'forbidden_header',
  /** `typ` is not `at+jwt` (an ID token, a refresh token...). */
  'wrong_token_type',
  /** No key with this `kid` in the configured JWKS (after at most one rate-limited refetch). */
  'unknown_key',
  /** The key named by `kid` is not meant for the token's `alg`. */
  'key_mismatch',
  'bad_signature',
  'wrong_issuer',
  'wrong_audience',
  /** `exp` has passed (beyond the clock tolerance). */
  'expired',
  /** `nbf` lies in the future (beyond the clock tolerance). */
  'not_yet_valid',
  /** The token belongs to another tenant than the verifier's. */
  'wrong_tenant',
  /** The session has ended (logout, reuse detection) or the account was deleted. */
  'revoked',
  /** The account has been deactivated. */
  'account_inactive',
  /**
   * An application's token (client credentials) given to a verifier that does not accept them
   * (`acceptClientTokens`), or to an API that wants a person.
   */
  'client_token',
  /**
   * The deployment's operator suspended the verifier's tenant: the feed answered `403 tenant_suspended`,
   * and every token is refused until a poll succeeds again (the tenant made active).
   */
  'tenant_suspended',
  /**
   * The policy reads subject attributes from public metadata and the feed says the account changed after
   * the token was minted: its `attrs` may be stale. Refresh the token (the middleware answers 401).
   */
  'stale_attributes',
  /** No usable keys: the JWKS could not be fetched, or the cached copy is older than `maxStale`. */
  'keys_unavailable',
  /** No policy yet: the first `GET /policy` has not succeeded. */
  'policy_unavailable',
  /** The revocation feed has not been read (or not for longer than `maxStaleness`): fails closed. */
  'revocations_unavailable',
  /** `filter()` for a resource type the policy does not declare (`POST /authorize/filter` answers 400). */
  'unknown_resource_type',
  /** `createVerifier` was given options it refuses. */
  'invalid_options',
] as const;
export type VerifierErrorCode = (typeof verifierErrorCodes)[number];

export class VerifierError extends Error {
  readonly code: VerifierErrorCode;
  /** The claim or header parameter concerned, when there is one (`exp`, `aud`, `alg`, ...). */
  readonly claim: string | undefined;

  constructor(code: VerifierErrorCode, message: string, options: { cause?: unknown; claim?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VerifierError';
    this.code = code;
    this.claim = options.claim;
  }
}

export const isVerifierError = (error: unknown): error is VerifierError => error instanceof VerifierError;
