import { randomUUID } from 'node:crypto';
import { type AuditActorType, auditActorTypes, auditOutcomes } from '@enforcer/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

export { type AuditActorType, auditActorTypes };

/**
 * An append-only record of a security-relevant event. Ids are plain columns (no foreign keys) so the
 * log outlives what it mentions. `details` never holds a secret.
 */
export const AuditEvent = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_event',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenantId: p.uuid().nullable(),
    actorType: p.enum(auditActorTypes),
    actorId: p.text().nullable(),
    /** Dotted verb, e.g. `auth.login.succeeded`, `auth.refresh_token.reused`, `keys.rotated`. */
    action: p.text(),
    /** `success` or `failure` (from the action's name unless the service said). */
    outcome: p.enum(auditOutcomes),
    targetType: p.text().nullable(),
    targetId: p.text().nullable(),
    ip: p.text().nullable(),
    userAgent: p.text().nullable(),
    requestId: p.text().nullable(),
    details: p
      .json<Record<string, unknown>>()
      .defaultRaw("'{}'")
      .onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
    /**
     * The hash chain (core audit/chain.ts): the event's place in its tenant's chain, the previous event's
     * hash and its own, set by `AuditChainSubscriber` as the transaction flushes the event.
     */
    seq: p.bigint('number'),
    prevHash: p.text().nullable(),
    hash: p.text(),
    /**
     * The salted commitment to the event's personal fields (ip, user agent, personal details keys): the chain
     * hashes the digest, so erasure (which nulls the fields and the salt) leaves the chain whole.
     */
    personalSalt: p.text().nullable(),
    personalDigest: p.text(),
  },
  // One event per place in a chain, tenant-less events included (`nulls not distinct`): a guard behind the lock.
  uniques: [
    {
      name: 'audit_event_tenant_id_seq_unique',
      expression:
        'create unique index "audit_event_tenant_id_seq_unique" on "audit_event" ("tenant_id", "seq") nulls not distinct',
    },
  ],
  indexes: [
    { properties: ['tenantId', 'createdAt', 'id'] },
    { properties: ['actorId', 'createdAt'] },
    { properties: ['action', 'createdAt'] },
  ],
});
export type IAuditEvent = InferEntity<typeof AuditEvent>;
