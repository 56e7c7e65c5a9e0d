import { type AuditInput, scrubDetails } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../lib/clock.js';
import { AuditEvent, type IAuditEvent } from './entities.js';

export type { AuditActor, AuditInput } from '@enforcer/core';
export { scrubDetails };

/**
 * Adds an audit event to the unit of work of `em` (persisted with the caller's transaction, so an event
 * is recorded exactly when the change it describes is).
 */
export function recordAudit(em: EntityManager, clock: Clock, input: AuditInput): IAuditEvent {
  return em.create(AuditEvent, {
    action: input.action,
    actorType: input.actor.type,
    actorId: input.actor.id ?? null,
    tenantId: input.tenantId ?? null,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    ip: input.ip ?? null,
    userAgent: input.userAgent ?? null,
    details: scrubDetails(input.details ?? {}),
    createdAt: clock.now(),
  });
}
