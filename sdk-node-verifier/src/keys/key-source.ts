import type { VerificationKey } from './import-key-set';

/** Where verification keys come from: a JWKS given up front, or one fetched from the configured URI. */
export interface KeySource {
  /** The key named `kid`; throws `unknown_key` or `keys_unavailable`. */
  get(kid: string): Promise<VerificationKey>;
  /**
   * For tokens verified before (the token cache): throws `keys_unavailable` when the keys may no longer
   * be used, and starts a background refresh when they are due for one.
   */
  assertUsable(): void;
  /** Resolves once the first load has been attempted. */
  ready(): Promise<void>;
  /** Fetches now (remote), regardless of the cache lifetime but not of a fetch in flight. */
  refresh(): Promise<void>;
  status(): KeySourceStatus;
}

export interface KeySourceStatus {
  /** `jwks`: given up front (never fetched); `jwksUri`: fetched. */
  source: 'jwks' | 'jwksUri';
  /** The usable key ids: for a given JWKS, once imported (after `ready()`). */
  kids: string[];
  /** When the JWKS was last fetched; undefined for a given one. */
  fetchedAt: number | undefined;
}

/**
 * A `kid` we would go and look for: the characters of JWK thumbprints, UUIDs and dated names. Anything
 * else (paths, quotes, spaces) can never be ours and never causes a fetch.
 */
export const PLAUSIBLE_KID = /^[A-Za-z0-9._:-]{1,128}$/;
