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
    secretPrefix: p.text(),
    secretHash: p.text().unique(),
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
