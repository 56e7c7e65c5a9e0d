import type { JWK } from 'jose';
import type { SigningKeyStatus } from './entities.js';

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
) =>
  key.status !== 'retired' ||
  (key.retiredAt !== null && key.retiredAt.getTime() + retentionSeconds * 1000 > now.getTime());

/**
 * The JWKS document (RFC 7517): the active key first, then pending keys (pre-published so verifiers cache
 * them before they sign anything), then retired keys still inside their retention period.
 */
export function buildJwks(keys: PublishedKey[], now: Date, retentionSeconds: number): JwksDocument {
  return {
    keys: keys
      .filter((key) => isPublished(key, now, retentionSeconds))
      .sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.createdAt.getTime() - a.createdAt.getTime())
      .map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' })),
  };
}
