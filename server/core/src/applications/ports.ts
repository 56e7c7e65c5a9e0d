import type { PageRequest } from '../pagination.js';

/**
 * An application (a machine client of one tenant, #18) as stored: the SHA-256 of its client secret, never
 * the secret, which only the creation and rotation answers hold.
 */
export interface ApplicationRecord {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  /** Public and unique across tenants: `POST /oauth/token` finds the application (and its tenant) by it. */
  clientId: string;
  /** The first characters of the current secret, shown in listings to tell secrets apart. */
  secretPrefix: string;
  /** SHA-256 (base64url) of the current secret: the secret has 256 random bits, so no slow hash is needed. */
  secretHash: string;
  /** Actions of the tenant's policy its tokens carry. */
  scopes: string[];
  /** Account id of the creator (null when an API key or the platform made it). */
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  secretRotatedAt: Date;
  lastUsedAt: Date | null;
}

/** A client token revoked before its expiry (`POST /oauth/revoke`): kept until it would have expired. */
export interface RevokedClientToken {
  jti: string;
  tenantId: string;
  applicationId: string;
  expiresAt: Date;
}

/** The port to applications. A deleted application is gone: its client id finds nothing afterwards. */
export interface ApplicationStore {
  /** Adds an application. Client ids and secret hashes are unique: a duplicate is an error. */
  insert(app: ApplicationRecord): Promise<void>;
  /** The tenant's applications after `after`, in page order (`limit` at most). */
  list(tenantId: string, request: PageRequest): Promise<ApplicationRecord[]>;
  /** An application of the tenant, or null (another tenant's is null too). */
  find(tenantId: string, id: string): Promise<ApplicationRecord | null>;
  /** The application with this client id, whatever its tenant, or null. */
  findByClientId(clientId: string): Promise<ApplicationRecord | null>;
  /** Writes the changeable fields: name, description, scopes, the secret's hash, prefix and rotation time, updatedAt. */
  update(app: ApplicationRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /** Records that the application obtained a token (`last_used_at`). */
  touch(id: string, at: Date): Promise<void>;
  /** Remembers a revoked client token until it expires (a second revocation of the same one is no error). */
  revokeToken(token: RevokedClientToken): Promise<void>;
  /** Was this client token revoked (and not yet past its expiry)? */
  isTokenRevoked(jti: string, now: Date): Promise<boolean>;
}
