import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/** A machine client of one tenant (#18). The secret is shown once; only its SHA-256 is stored. */
export const Application = defineEntity({
  name: 'Application',
  tableName: 'application',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    name: p.text(),
    description: p.text().nullable(),
    clientId: p.text().unique(),
    /** `client_secret_basic` or `private_key_jwt`. */
    tokenEndpointAuthMethod: p
      .text()
      .default('client_secret_basic')
      .check(
        `("token_endpoint_auth_method" = 'client_secret_basic' and "secret_hash" is not null and "jwks" is null and "jwks_uri" is null) or ("token_endpoint_auth_method" = 'private_key_jwt' and "secret_hash" is null and ("jwks" is null) <> ("jwks_uri" is null))`,
      ),
    /** Null for a `private_key_jwt` application (it has no secret). */
    secretPrefix: p.text().nullable(),
    secretHash: p.text().unique().nullable(),
    /** The public keys (JWKs) of a `private_key_jwt` application. */
    jwks: p.json<Record<string, unknown>[]>().nullable(),
    /** Or the URL where a `private_key_jwt` application publishes them (fetched, cached). */
    jwksUri: p.text().nullable(),
    scopes: p.array().default([]),
    /** Account id of the creator (no foreign key: the application's history outlives the account). */
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
    secretRotatedAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['tenant', 'createdAt'] }],
});
export type IApplication = InferEntity<typeof Application>;

/**
 * A client assertion's `jti` already used (RFC 7523 §3), kept until the assertion expires (replays refused);
 * deleted with its application (no foreign key: the store deletes them).
 */
export const UsedClientAssertion = defineEntity({
  name: 'UsedClientAssertion',
  tableName: 'used_client_assertion',
  properties: {
    applicationId: p.uuid().primary(),
    jti: p.text().primary(),
    expiresAt: p.datetime().index(),
  },
});

/** A client token revoked before it expired (`POST /oauth/revoke`); purgeable once past `expiresAt`. */
export const RevokedClientToken = defineEntity({
  name: 'RevokedClientToken',
  tableName: 'revoked_client_token',
  properties: {
    jti: p.text().primary(),
    tenantId: p.uuid(),
    applicationId: p.uuid(),
    expiresAt: p.datetime().index(),
  },
});
export type IRevokedClientToken = InferEntity<typeof RevokedClientToken>;
