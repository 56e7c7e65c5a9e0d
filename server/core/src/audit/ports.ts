/**
 * Audit: an append-only record of security-relevant events. Services add events through the unit of
 * work's `audit` log, so an event is recorded exactly when the change it describes commits.
 */

export const auditActorTypes = ['account', 'api_key', 'person', 'anonymous', 'system'] as const;
export type AuditActorType = (typeof auditActorTypes)[number];

export interface AuditActor {
  type: AuditActorType;
  /** Account id, API key id or person id; absent for anonymous and system actors. */
  id?: string | null;
  /**
   * The admin's account acting as account `id` (an impersonation token, #14): stored in the event's
   * details as `impersonator_account_id`, so every event of such a request names both accounts.
   */
  impersonator?: string | null;
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

/** An event as stored. */
export interface AuditRecord {
  id: string;
  action: string;
  actorType: AuditActorType;
  actorId: string | null;
  tenantId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** The port: add an event to the current unit of work. */
export interface AuditLog {
  record(input: AuditInput): void;
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

/** The stored fields of an event (every store writes these; the id is the store's). */
export const auditFields = (input: AuditInput, now: Date): Omit<AuditRecord, 'id'> => ({
  action: input.action,
  actorType: input.actor.type,
  actorId: input.actor.id ?? null,
  tenantId: input.tenantId ?? null,
  targetType: input.target?.type ?? null,
  targetId: input.target?.id ?? null,
  ip: input.ip ?? null,
  userAgent: input.userAgent ?? null,
  details: scrubDetails({
    ...(input.details ?? {}),
    ...(input.actor.impersonator ? { impersonator_account_id: input.actor.impersonator } : {}),
  }),
  createdAt: now,
});
