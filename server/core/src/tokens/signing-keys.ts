import type { JWK } from 'jose';

/** Access tokens are signed with ES256 (P-256) only. */
export const SIGNING_ALG = 'ES256';

/**
 * A signing key's life: published first as `pending` (verifiers cache it before it signs anything), then
 * `active` (signs new tokens, at most one), then `retired` (still published and accepted until its
 * retention ends, so tokens it signed stay valid until they expire).
 */
export const signingKeyStatuses = ['pending', 'active', 'retired'] as const;
export type SigningKeyStatus = (typeof signingKeyStatuses)[number];

/** The key that signs new tokens. */
export interface ActiveSigningKey {
  kid: string;
  alg: typeof SIGNING_ALG;
  privateKey: CryptoKey;
  /**
   * Signs a JWS signing input with `privateKey` (ES256), the signature as JWS carries it (r || s, 64
   * bytes). Optional: without it WebCrypto signs (the mock); the server brings node:crypto's, a fraction
   * of WebCrypto's cost per call in Node.js, where signing was the refresh's largest item of CPU.
   */
  sign?(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** ES256 over `data` with the key's own signer, or WebCrypto's. */
export async function es256Sign(key: ActiveSigningKey, data: Uint8Array): Promise<Uint8Array> {
  if (key.sign) return key.sign(data);
  return new Uint8Array(
    await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      key.privateKey,
      data as Uint8Array<ArrayBuffer>,
    ),
  );
}

/**
 * The port to the signing keys (the server keeps them encrypted in PostgreSQL, the mock in memory).
 * Lookups may fail for reasons that say nothing about a token (the database is down): such errors
 * propagate as they are, never as `token_invalid`.
 */
export interface SigningKeys {
  getSigningKey(): Promise<ActiveSigningKey>;
  /** The public key for a kid, if that key is published now; undefined otherwise. */
  getVerificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** The JWKS document served at `/.well-known/jwks.json`. */
  getJwks(): Promise<JwksDocument>;
}

export interface PublishedKey {
  kid: string;
  alg: string;
  status: SigningKeyStatus;
  publicJwk: JWK;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface JwksDocument {
  keys: JWK[];
}

const ORDER: Record<SigningKeyStatus, number> = { active: 0, pending: 1, retired: 2 };

/** Whether a key is published (and accepted) at `now`: pending and active always, retired until retention ends. */
export const isPublished = (
  key: Pick<PublishedKey, 'status' | 'retiredAt'>,
  now: Date,
  retentionSeconds: number,
): boolean =>
  key.status !== 'retired' ||
  (key.retiredAt !== null && key.retiredAt.getTime() + retentionSeconds * 1000 > now.getTime());

/**
 * The JWKS document (RFC 7517): the active key first, then pending keys, then retired keys still inside
 * their retention period; newest first within each.
 */
export function buildJwks(keys: PublishedKey[], now: Date, retentionSeconds: number): JwksDocument {
  return {
    keys: keys
      .filter((key) => isPublished(key, now, retentionSeconds))
      .sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.createdAt.getTime() - a.createdAt.getTime())
      .map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' })),
  };
}
