import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/** A server-side credential of one tenant. The plaintext is shown once; only its SHA-256 is stored. */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_key',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    name: p.text(),
    /** The first characters of the key, shown in listings to tell keys apart. */
    prefix: p.text(),
    keyHash: p.text().unique(),
    /** The role the key acts with in its tenant's policy (never more than its creator holds). */
    role: p.text().default('admin'),
    /** Account id of the creator (no foreign key: the key's history outlives the account). */
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['tenant', 'createdAt'] }],
});
export type IApiKey = InferEntity<typeof ApiKey>;
