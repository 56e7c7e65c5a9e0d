import { randomUUID } from 'node:crypto';
import { type AuditActorType, auditActorTypes } from '@enforcer/core';
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
    targetType: p.text().nullable(),
    targetId: p.text().nullable(),
    ip: p.text().nullable(),
    userAgent: p.text().nullable(),
    details: p
      .json<Record<string, unknown>>()
      .defaultRaw("'{}'")
      .onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [
    { properties: ['tenantId', 'createdAt'] },
    { properties: ['actorId', 'createdAt'] },
    { properties: ['action', 'createdAt'] },
  ],
});
export type IAuditEvent = InferEntity<typeof AuditEvent>;
