import type { VisibleRequest } from '../pagination.js';

/** An API key as stored: its SHA-256 (hex), never the key itself, which only the creation answer holds. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  /** The first characters of the key, shown in listings to tell keys apart. */
  prefix: string;
  keyHash: string;
  /** The role the key acts with in its tenant's policy (never more than its creator holds). */
  role: string;
  /** Account id of the creator (null for keys made by the platform). */
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** The port to API keys. Revoked keys stay stored (their history), but no method except `findByHash` shows them. */
export interface ApiKeyStore {
  /** Adds a key. Hashes are unique: a second key with the same hash is an error. */
  insert(key: ApiKeyRecord): Promise<void>;
  /** The tenant's live keys that the plan lets through, after `after`, in page order (`limit` at most). */
  list(tenantId: string, request: VisibleRequest): Promise<ApiKeyRecord[]>;
  /** A live (not revoked) key of the tenant, or null. */
  findLive(tenantId: string, id: string): Promise<ApiKeyRecord | null>;
  /** The key with this hash, revoked and expired ones included (authentication decides), or null. */
  findByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  revoke(id: string, at: Date): Promise<void>;
  /** Records a use of the key (`last_used_at`). */
  touch(id: string, at: Date): Promise<void>;
}
