import { z } from 'zod';
import { idSchema, timestampSchema } from '../common/schemas';

/**
 * The webhook event catalogue: every event a tenant's endpoint can subscribe to, with the schema of its
 * `data`. Payloads carry ids and what changed, never a secret (no token, code, key or password).
 */

const accountStatusSchema = z.enum(['active', 'locked', 'banned', 'deactivated', 'deleted']);

export const webhookEventDataSchemas = {
  'account.created': z.object({
    account_id: idSchema,
    /** How the account came to be: `register`, `login` (sign-up on first sign-in), `join`, `invite`. */
    via: z.string().nullable(),
    roles: z.array(z.string()),
  }),
  'account.updated': z.object({
    account_id: idSchema,
    /** Which parts changed (`public_metadata`, `private_metadata`, `user_metadata`, `mfa`). */
    changed: z.array(z.string()),
    /** The top-level keys written in each metadata part (the values are read from the API, never sent). */
    fields: z.record(z.string(), z.array(z.string())),
  }),
  'account.status_changed': z.object({
    account_id: idSchema,
    from: accountStatusSchema.nullable(),
    to: accountStatusSchema,
    reason: z.string().nullable(),
  }),
  'account.deleted': z.object({ account_id: idSchema, reason: z.string().nullable() }),
  'person.deleted': z.object({ person_id: idSchema }),
  'session.created': z.object({
    session_id: idSchema,
    account_id: idSchema.nullable(),
    /** The sign-in method (`password`, `email_otp`, `passkey`...), when a sign-in opened it. */
    provider: z.string().nullable(),
  }),
  'session.ended': z.object({
    session_id: idSchema.nullable(),
    account_id: idSchema.nullable(),
    reason: z.string().nullable(),
  }),
  'auth.login.failed': z.object({
    /** The account the attempt was for, when one was named and exists. */
    account_id: idSchema.nullable(),
    provider: z.string().nullable(),
    reason: z.string().nullable(),
  }),
  'auth.refresh_reuse_detected': z.object({ session_id: idSchema, account_id: idSchema.nullable() }),
  'group.member_added': z.object({ group_id: idSchema, group: z.string().nullable(), account_id: idSchema }),
  'group.member_removed': z.object({
    group_id: idSchema,
    group: z.string().nullable(),
    account_id: idSchema,
  }),
  'role.assigned': z.object({
    account_id: idSchema,
    roles_before: z.array(z.string()),
    roles_after: z.array(z.string()),
  }),
  'policy.updated': z.object({ version: z.number().int().nullable(), etag: z.string().nullable() }),
  'api_key.created': z.object({ api_key_id: idSchema, name: z.string(), role: z.string().nullable() }),
  'api_key.revoked': z.object({ api_key_id: idSchema, name: z.string().nullable() }),
  'kyc.status_changed': z.object({
    person_id: idSchema,
    account_id: idSchema.nullable(),
    status: z.string(),
    level: z.string().nullable(),
  }),
  'invite.created': z.object({ invite_id: idSchema, role: z.string().nullable() }),
  'invite.accepted': z.object({ invite_id: idSchema, account_id: idSchema }),
  /** Sent by `POST /webhooks/endpoints/{id}/test` only, to the endpoint asked for, whatever it subscribes to. */
  'webhook.test': z.object({ endpoint_id: idSchema }),
} as const;

export type WebhookEventType = keyof typeof webhookEventDataSchemas;
export const webhookEventTypes = Object.keys(webhookEventDataSchemas) as WebhookEventType[];
export type WebhookEventData<T extends WebhookEventType> = z.infer<(typeof webhookEventDataSchemas)[T]>;

const envelope = <T extends WebhookEventType>(type: T) =>
  z.object({
    /** The event's id; also the `webhook-id` header, the same on every retry (receivers deduplicate on it). */
    id: idSchema,
    type: z.literal(type),
    /** When the change happened. */
    timestamp: timestampSchema,
    tenant_id: idSchema,
    data: webhookEventDataSchemas[type],
  });

const envelopes = webhookEventTypes.map((type) => envelope(type)) as unknown as [
  ReturnType<typeof envelope<WebhookEventType>>,
  ...ReturnType<typeof envelope<WebhookEventType>>[],
];

/** A delivered event's body, as the receiver parses it: the type says which `data` it carries. */
export const webhookEventSchema = z.discriminatedUnion('type', envelopes);

/** The body of one event type (`WebhookEvent<'account.created'>`), or of any (`WebhookEvent`). */
export type WebhookEvent<T extends WebhookEventType = WebhookEventType> = T extends WebhookEventType
  ? {
      id: string;
      type: T;
      timestamp: string;
      tenant_id: string;
      data: WebhookEventData<T>;
    }
  : never;

/**
 * What an endpoint subscribes to: an event type, a prefix wildcard (`account.*` covers every `account.`
 * event, `auth.login.*` the sign-in ones) or `*` (everything).
 */
export const webhookEventFilterSchema = z
  .string()
  .max(100)
  .refine(
    (value) =>
      value === '*' ||
      (webhookEventTypes as string[]).includes(value) ||
      (/^[a-z_]+(\.[a-z_]+)*\.\*$/.test(value) &&
        webhookEventTypes.some((type) => type.startsWith(value.slice(0, -1)))),
    { message: 'must be an event type of the catalogue, a prefix wildcard like `account.*`, or `*`' },
  );

/** Whether an endpoint subscribed to `filters` gets events of `type`. */
export const webhookFilterMatches = (filters: readonly string[], type: string): boolean =>
  filters.some(
    (filter) =>
      filter === '*' || filter === type || (filter.endsWith('.*') && type.startsWith(filter.slice(0, -1))),
  );
