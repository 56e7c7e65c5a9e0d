import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/**
 * The first answer to a request made with an `Idempotency-Key` (`POST /accounts`), per tenant, until it
 * expires (24 hours): the same key with the same body answers it again, with another body is a conflict.
 */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_key',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    key: p.text(),
    requestHash: p.text(),
    status: p.integer(),
    body: p.json<unknown>(),
    expiresAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['tenant', 'key'] }],
  indexes: [{ properties: ['expiresAt'] }],
});
export type IIdempotencyKey = InferEntity<typeof IdempotencyKey>;
