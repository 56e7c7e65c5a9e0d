import type { auditActorTypes, auditOutcomes } from '@enforcer/contract';
import type { PageRequest } from '../pagination.js';

/**
 * Audit: an append-only record of security-relevant events. Services add events through the unit of
 * work's `audit` log, so an event is recorded exactly when the change it describes commits.
 */

export { auditActorTypes, auditOutcomes } from '@enforcer/contract';
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

/** Whether what an event describes went through (`success`) or was refused (`failure`). */
export type AuditOutcome = (typeof auditOutcomes)[number];

export interface AuditInput {
  action: string;
  /** Defaults to what the action's name says (`outcomeOfAction`). */
  outcome?: AuditOutcome;
  actor: AuditActor;
  tenantId?: string | null;
  target?: { type: string; id: string } | null;
  ip?: string | null;
  userAgent?: string | null;
  /** The id of the HTTP request that caused the event, when there was one. */
  requestId?: string | null;
  /** Never a secret: no tokens, codes, keys or passwords (keys that look like one are dropped). */
  details?: Record<string, unknown>;
}

/** An event as stored. */
export interface AuditRecord {
  id: string;
  action: string;
  outcome: AuditOutcome;
  actorType: AuditActorType;
  actorId: string | null;
  tenantId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
  /** The event's place in its tenant's hash chain (1, 2, ...; tenant-less events form one chain of their own). */
  seq: number;
  /** The hash of the tenant's previous event (null for the first). */
  prevHash: string | null;
  /** `chainHash` of this event: SHA-256 over its canonical form and `prevHash`. */
  hash: string;
  /**
   * The random salt of the event's personal-data commitment (`personalDigest` in audit/chain.ts); null once
   * the person's data was erased from the event (the salt goes with it, so the digest can no longer be
   * checked against guesses of the erased values).
   */
  personalSalt: string | null;
  /** SHA-256 over the salt and the event's personal fields (ip, user agent, personal details): what the chain hashes instead of them. */
  personalDigest: string;
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

/**
 * Failures by the action's last word (`auth.login.failed`, `auth.invite.refused`, `auth.refresh_token.reused`,
 * `auth.passkey.counter_regression`, `tenants.self_serve.failed`...): every event today is named so.
 */
const FAILURE_WORD = /(^|[._])(failed|refused|reused|rejected|denied|regression)$/;
export const outcomeOfAction = (action: string): AuditOutcome =>
  FAILURE_WORD.test(action) ? 'failure' : 'success';

/** The stored fields of an event before it is chained (every store writes these; the id is the store's). */
export type AuditFields = Omit<
  AuditRecord,
  'id' | 'seq' | 'prevHash' | 'hash' | 'personalSalt' | 'personalDigest'
>;

/**
 * Details as JSON gives them back (no undefined, no Date object, no -0): what is stored is what was hashed,
 * so a chain computed when an event is written verifies against the row read back.
 */
const asStoredJson = (details: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(details)) as Record<string, unknown>;

export const auditFields = (input: AuditInput, now: Date): AuditFields => ({
  action: input.action,
  outcome: input.outcome ?? outcomeOfAction(input.action),
  actorType: input.actor.type,
  actorId: input.actor.id ?? null,
  tenantId: input.tenantId ?? null,
  targetType: input.target?.type ?? null,
  targetId: input.target?.id ?? null,
  ip: input.ip ?? null,
  userAgent: input.userAgent ?? null,
  requestId: input.requestId ?? null,
  details: asStoredJson(
    scrubDetails({
      ...(input.details ?? {}),
      ...(input.actor.impersonator ? { impersonator_account_id: input.actor.impersonator } : {}),
    }),
  ),
  createdAt: now,
});

/** What a listing of a tenant's events keeps (every field optional but the tenant). */
export interface AuditEventFilter {
  tenantId: string;
  /** `action` starts with it (`auth.login.` gives every sign-in event). */
  actionPrefix?: string;
  /** The acting account (`actor.type` `account`). */
  actorAccountId?: string;
  /** The account acted on (`target.type` `account`). */
  targetAccountId?: string;
  outcome?: AuditOutcome;
  /** `createdAt >= from`. */
  from?: Date;
  /** `createdAt < to`. */
  to?: Date;
  /**
   * Events about someone (a recent-activity page): those whose actor or target is one of these; events
   * with no tenant (a person's own, outside any tenant) are included then.
   */
  about?: { type: string; id: string }[];
}

/** The tenants' chains and retention, read and purged through the audit store. */
export interface AuditEventStore {
  /** Events matching the filter after `page.after`, newest first (by `createdAt`, then `id`, descending). */
  listNewestFirst(filter: AuditEventFilter, page: PageRequest): Promise<AuditRecord[]>;
  /** The same, oldest first (an export streams a time range in this order). */
  listOldestFirst(filter: AuditEventFilter, page: PageRequest): Promise<AuditRecord[]>;
  /** The tenant's event with this id, or null (another tenant's is null too). */
  find(tenantId: string, id: string): Promise<AuditRecord | null>;
  /** A chain in `seq` order: the tenant's events (null: the tenant-less ones) with `seq > afterSeq`. */
  chain(tenantId: string | null, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** Tenants' audit retention in days (`audit_retention_days`), for those that have events. */
  retentions(): Promise<{ tenantId: string | null; days: number | null }[]>;
  /** The tenant's own retention setting (null: the default). */
  retentionDays(tenantId: string): Promise<number | null>;
  setRetentionDays(tenantId: string, days: number | null): Promise<void>;
  /**
   * Deletes up to `limit` of the tenant's events created before `before`, oldest first; returns how many
   * and the last `seq` deleted.
   */
  purge(
    tenantId: string | null,
    before: Date,
    limit: number,
  ): Promise<{ deleted: number; throughSeq: number | null }>;
}
