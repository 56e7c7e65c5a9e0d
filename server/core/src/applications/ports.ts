import type { ApplicationJwk, TokenEndpointAuthMethod } from '@enforcer/contract';
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
  /** A secret (`client_secret_basic`, also accepted as `client_secret_post`) or keys (`private_key_jwt`). */
  authMethod: TokenEndpointAuthMethod;
  /** The first characters of the current secret, shown in listings to tell secrets apart (null with keys). */
  secretPrefix: string | null;
  /**
   * SHA-256 (base64url) of the current secret: the secret has 256 random bits, so no slow hash is needed.
   * Null for a `private_key_jwt` application, which has no secret.
   */
  secretHash: string | null;
  /** The public keys of a `private_key_jwt` application (null with a secret or a `jwksUri`). */
  jwks: ApplicationJwk[] | null;
  /** Where a `private_key_jwt` application publishes its keys instead (null with a secret or `jwks`). */
  jwksUri: string | null;
  /** Actions of the tenant's policy its tokens carry. */
  scopes: string[];
  /** Account id of the creator (null when an API key or the platform made it). */
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** When the credential (secret or keys) was last set. */
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

/** A client assertion's `jti` (RFC 7523 §3: used once), remembered until the assertion expires. */
export interface UsedClientAssertion {
  applicationId: string;
  jti: string;
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
  /** Writes the changeable fields: name, description, scopes, the secret's hash and prefix, the keys, rotation time, updatedAt. */
  update(app: ApplicationRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /** Records that the application obtained a token (`last_used_at`). */
  touch(id: string, at: Date): Promise<void>;
  /** Remembers a revoked client token until it expires (a second revocation of the same one is no error). */
  revokeToken(token: RevokedClientToken): Promise<void>;
  /** Was this client token revoked (and not yet past its expiry)? */
  isTokenRevoked(jti: string, now: Date): Promise<boolean>;
  /**
   * Records a client assertion's `jti` for its application: true the first time, false when the same
   * application's `jti` is already recorded and not yet expired (a replay). Atomic: of two concurrent uses
   * one gets true. Expired records of the application may be forgotten on the way.
   */
  useClientAssertion(use: UsedClientAssertion, now: Date): Promise<boolean>;
}
