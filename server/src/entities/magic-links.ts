import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/**
 * One mailed sign-in link. The token in it is 256 random bits; only its SHA-256 is stored. Bound to the
 * email and the tenant; single use; 15 minutes.
 */
export const MagicLinkToken = defineEntity({
  name: 'MagicLinkToken',
  tableName: 'magic_link_token',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tokenHash: p.text().unique(),
    /** Lower-cased. */
    email: p.text().check('email = lower(email)'),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    expiresAt: p.datetime(),
    consumedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['tenant', 'email', 'createdAt'] }, { properties: ['expiresAt'] }],
});
export type IMagicLinkToken = InferEntity<typeof MagicLinkToken>;

/** Where a tenant's magic links may point (its own sign-in page): an allowlist the tenant's admins set. */
export const MagicLinkSetting = defineEntity({
  name: 'MagicLinkSetting',
  tableName: 'magic_link_setting',
  properties: {
    tenant: () => p.manyToOne(Tenant).primary().deleteRule('cascade'),
    redirectUrls: p.array().default([]),
    updatedAt: p.datetime(),
  },
});
export type IMagicLinkSetting = InferEntity<typeof MagicLinkSetting>;
