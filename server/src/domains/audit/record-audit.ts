import { randomUUID } from 'node:crypto';
import { type AuditInput, auditFields, scrubDetails, webhookEventsOfAudit } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent, type IAuditEvent } from '../../entities/audit.js';
import { Tenant } from '../../entities/tenants.js';
import { WebhookEvent } from '../../entities/webhooks.js';
import type { Clock } from '../../lib/clock.js';

export type { AuditActor, AuditInput } from '@enforcer/core';
export { scrubDetails };

/**
 * Adds an audit event to the unit of work of `em` (persisted with the caller's transaction, so an event
 * is recorded exactly when the change it describes is). Its place in the tenant's hash chain is set when
 * the transaction flushes it (`AuditChainSubscriber`): `seq`, `prevHash`, `hash` and the personal-data commitment here are placeholders.
 */
export function recordAudit(em: EntityManager, clock: Clock, input: AuditInput): IAuditEvent {
  const fields = auditFields(input, clock.now());
  // Catalogue events' outbox rows (#16) commit with the audit event, so with the change itself.
  for (const { tenantId, ...event } of webhookEventsOfAudit(randomUUID, fields)) {
    em.create(WebhookEvent, { ...event, tenant: em.getReference(Tenant, tenantId), fannedOutAt: null });
  }
  return em.create(AuditEvent, {
    id: randomUUID(),
    ...fields,
    seq: 0,
    prevHash: null,
    hash: '',
    personalSalt: null,
    personalDigest: '',
  });
}
