import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../lib/clock.js';
import { type AuditActorType, AuditEvent, type IAuditEvent } from './entities.js';

export interface AuditActor {
  type: AuditActorType;
  /** Account id, API key id or person id; absent for anonymous and system actors. */
  id?: string | null;
}

export interface AuditInput {
  action: string;
  actor: AuditActor;
  tenantId?: string | null;
  target?: { type: string; id: string } | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Never a secret: no tokens, codes, keys or passwords (keys that look like one are dropped). */
  details?: Record<string, unknown>;
}

const SECRET_KEY = /token|secret|password|otp|code|key|authorization|cookie/i;
const ALLOWED = new Set(['kid', 'token_id', 'key_id', 'api_key_id', 'code_length', 'tenant_code']);

/** Removes anything that looks like a secret from audit details (defence in depth; callers pass none). */
export function scrubDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (SECRET_KEY.test(key) && !ALLOWED.has(key)) continue;
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? scrubDetails(value as Record<string, unknown>)
        : value;
  }
  return out;
}

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
