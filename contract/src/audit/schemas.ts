import { z } from 'zod';
import { idSchema, paginationQuerySchema, timestampInputSchema, timestampSchema } from '../common/schemas';
import { storableText } from '../common/text';

/**
 * Audit events as a tenant reads them. Every security-relevant change Enforcer makes is one event, written
 * in the transaction that makes the change; each tenant's events form a hash chain (`hash` covers the event
 * and `prev_hash`), so an edit in the database shows in `GET /audit-events/verify`.
 */

/** `application`: a machine client (#18) obtaining a token; `platform`: the deployment's operator (#15). */
export const auditActorTypes = [
  'account',
  'api_key',
  'person',
  'anonymous',
  'system',
  'application',
  'platform',
] as const;
export const auditOutcomes = ['success', 'failure'] as const;
export const auditOutcomeSchema = z.enum(auditOutcomes);

export const auditEventSchema = z.object({
  id: idSchema,
  created_at: timestampSchema,
  /** Dotted name: `auth.login.succeeded`, `auth.login.failed`, `api_key.created`, ... (docs/audit.md lists them). */
  type: z.string(),
  outcome: auditOutcomeSchema,
  /** Who acted: an account, an API key, a person (outside a tenant), nobody known (`anonymous`), Enforcer itself (`system`: a job) or the deployment's operator (`platform`: a platform API key, its id the key's configured name). */
  actor: z.object({ type: z.enum(auditActorTypes), id: z.string().nullable() }),
  /** What was acted on (`account`, `session`, `api_key`, `group`, `tenant`, ...), or null. */
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  tenant_id: idSchema.nullable(),
  /** The client address and `User-Agent` as the server saw them (null when the event had no request). */
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** The id of the request that caused the event (null when not recorded). */
  request_id: z.string().nullable(),
  /** What the event type says it holds; never a secret (no code, token, key or password, not even hashed). */
  details: z.record(z.string(), z.unknown()),
  /** The event's place in its tenant's chain, the previous event's hash and its own (hex SHA-256). */
  seq: z.number().int().positive(),
  prev_hash: z.string().nullable(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

const accountIdFilter = idSchema;

/** The time range of a listing or an export: `from` included, `to` excluded. */
const rangeSchema = {
  from: timestampInputSchema.optional(),
  to: timestampInputSchema.optional(),
};

/** `to` before `from` is a mistake (400); `from` = `to` is an empty range. */
const fromBeforeTo = (q: { from?: string | undefined; to?: string | undefined }) =>
  q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to);
const rangeMessage = { message: 'to must not be before from', path: ['to'] };

/** `GET /audit-events`: newest first; every filter optional and combined with AND. */
export const listAuditEventsQuerySchema = paginationQuerySchema
  .extend({
    /** A prefix of the event type: `auth.login.` lists sign-ins (succeeded, failed, waiting for MFA). */
    type: z.string().min(1).max(100).check(storableText).optional(),
    actor_account_id: accountIdFilter.optional(),
    target_account_id: accountIdFilter.optional(),
    outcome: auditOutcomeSchema.optional(),
    ...rangeSchema,
  })
  .refine(fromBeforeTo, rangeMessage);
export type ListAuditEventsQuery = z.infer<typeof listAuditEventsQuerySchema>;

/** `GET /audit-events/export`: both ends required, oldest first. */
export const exportAuditEventsQuerySchema = z
  .object({ from: timestampInputSchema, to: timestampInputSchema })
  .refine(fromBeforeTo, rangeMessage);
export type ExportAuditEventsQuery = z.infer<typeof exportAuditEventsQuerySchema>;

/** `GET /auth/activity`: the caller's own events, newest first. */
export const activityQuerySchema = paginationQuerySchema;

/** `GET /audit-events/verify`: the tenant's chain checked from its oldest kept event. */
export const auditChainVerificationSchema = z.object({
  ok: z.boolean(),
  /** Events checked before the first break (all of them when `ok`). */
  checked: z.number().int().nonnegative(),
  first_seq: z.number().int().nullable(),
  last_seq: z.number().int().nullable(),
  /** The hash of the last event checked: kept outside Enforcer, it shows later that the tail was not cut. */
  last_hash: z.string().nullable(),
  first_break: z
    .object({
      id: idSchema,
      seq: z.number().int(),
      reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'missing_event']),
    })
    .nullable(),
});
export type AuditChainVerification = z.infer<typeof auditChainVerificationSchema>;

/** Audit settings of the tenant. */
export const defaultAuditRetentionDays = 365;
export const auditSettingsSchema = z.object({
  /** Events older than this are purged (the default when not set: 365). */
  audit_retention_days: z.number().int().min(1).max(36500),
});
export type AuditSettings = z.infer<typeof auditSettingsSchema>;

export const updateAuditSettingsBodySchema = z.strictObject({
  /** `null` restores the default (365). */
  audit_retention_days: z.number().int().min(1).max(36500).nullable(),
});
export type UpdateAuditSettingsBody = z.infer<typeof updateAuditSettingsBodySchema>;

/** The media type of an export: one event (`auditEventSchema`) per line. */
export const ndjsonContentType = 'application/x-ndjson';
