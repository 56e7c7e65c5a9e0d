import { z } from 'zod';
import { metadataSchema } from '../accounts/metadata';
import { auditEventSchema } from '../audit/schemas';
import { idSchema, paginationQuerySchema, timestampSchema } from '../common/schemas';
import { inviteStatuses } from '../tenants/schemas';

/** Privacy (#15): a person's data export and deletion requests. docs/privacy.md describes both. */

export const defaultDeletionGraceDays = 30;

export const deletionRequestStatusSchema = z.enum(['pending', 'cancelled', 'completed']);

/** A deletion request: the person asks, the tenant's grace period runs, then the job (or an admin) erases. */
export const deletionRequestSchema = z.object({
  id: idSchema,
  status: deletionRequestStatusSchema,
  /** The tenant the request was made from (its admins see it; its grace period applies). */
  tenant_id: idSchema,
  /** The account that asked (a pseudonymous id once erased). */
  account_id: idSchema,
  requested_at: timestampSchema,
  /** When the grace period ends and the person is erased, unless cancelled first. */
  scheduled_for: timestampSchema,
  cancelled_at: timestampSchema.nullable(),
  completed_at: timestampSchema.nullable(),
  /** Who carried the erasure out: `system` (the job, when the grace period ended), an admin's account or an API key. */
  processed_by: z
    .object({ type: z.enum(['system', 'account', 'api_key']), id: z.string().nullable() })
    .nullable(),
});
export type DeletionRequest = z.infer<typeof deletionRequestSchema>;

/** `GET /auth/me/deletion`: the caller's pending request, or null. */
export const ownDeletionSchema = z.object({ deletion_request: deletionRequestSchema.nullable() });
export type OwnDeletion = z.infer<typeof ownDeletionSchema>;

/** `POST /auth/me/deletion` takes no options. */
export const requestDeletionBodySchema = z.strictObject({});

export const listDeletionRequestsQuerySchema = paginationQuerySchema.extend({
  status: deletionRequestStatusSchema.optional(),
});

/** `POST /deletion-requests/{id}/process`: the request, completed, and what the erasure changed. */
export const processDeletionResponseSchema = z.object({
  deletion_request: deletionRequestSchema,
  erased: z.object({
    accounts: z.number().int(),
    sessions_ended: z.number().int(),
    /** Rows changed or deleted, by table. */
    rows: z.record(z.string(), z.number().int()),
  }),
});

export const privacySettingsSchema = z.object({
  /** Days between a deletion request and the erasure (default 30). 0: at the job's next run. */
  deletion_grace_days: z.number().int().min(0).max(365),
});
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;

export const updatePrivacySettingsBodySchema = z.strictObject({
  /** `null` restores the default (30). */
  deletion_grace_days: z.number().int().min(0).max(365).nullable(),
});

/** A session as the export shows it: where and how it was opened, never its tokens. */
const exportSessionSchema = z.object({
  id: idSchema,
  tenant_id: idSchema,
  account_id: idSchema,
  amr: z.array(z.string()),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  created_at: timestampSchema,
  last_used_at: timestampSchema,
});

/**
 * `GET /auth/me/export`: everything Enforcer holds about the caller's person, as one document. Never a
 * secret: no password hash, code, token, key (not even a passkey's public key), recovery code or TOTP secret.
 */
export const personalDataExportSchema = z.object({
  /** The schema's name and version (docs/privacy.md). */
  format: z.literal('enforcer.personal-data-export.v1'),
  exported_at: timestampSchema,
  person: z.object({
    id: idSchema,
    email: z.string().nullable(),
    email_verified: z.boolean(),
    created_at: timestampSchema,
    profile: z.object({
      display_name: z.string().nullable(),
      avatar_url: z.string().nullable(),
      locale: z.string().nullable(),
      time_zone: z.string().nullable(),
    }),
  }),
  accounts: z.array(
    z.object({
      id: idSchema,
      tenant: z.object({ id: idSchema, code: z.string(), name: z.string() }),
      roles: z.array(z.string()),
      groups: z.array(z.string()),
      status: z.string(),
      created_at: timestampSchema,
      /** The metadata a user may see: public and their own (private metadata is the tenant's). */
      public_metadata: metadataSchema,
      user_metadata: metadataSchema,
    }),
  ),
  /** Ways to reach the person: the primary email and the phone numbers of phone identities. */
  contacts: z.object({ emails: z.array(z.string()), phones: z.array(z.string()) }),
  identities: z.array(
    z.object({
      id: idSchema,
      provider: z.string(),
      subject: z.string(),
      email: z.string().nullable(),
      verified_at: timestampSchema,
      created_at: timestampSchema,
      last_used_at: timestampSchema.nullable(),
    }),
  ),
  passkeys: z.array(
    z.object({
      id: idSchema,
      name: z.string().nullable(),
      rp_id: z.string(),
      aaguid: z.string().nullable(),
      device_type: z.string(),
      backed_up: z.boolean(),
      transports: z.array(z.string()),
      created_at: timestampSchema,
      last_used_at: timestampSchema.nullable(),
    }),
  ),
  /** Which sign-in secrets exist, never the secrets themselves. */
  credentials: z.object({ password: z.boolean(), totp: z.boolean() }),
  /** Live sessions in every tenant. */
  sessions: z.array(exportSessionSchema),
  /**
   * Sessions that ended (signed out, revoked, timed out at their absolute expiry; rows are kept until the
   * housekeeping job deletes them), newest first.
   */
  ended_sessions: z.array(
    exportSessionSchema.extend({
      ended_at: timestampSchema,
      /** Why: the revocation's reason (`logout`, `person_erased`, ...), or `expired`. */
      end_reason: z.string(),
    }),
  ),
  /**
   * Invites into a tenant addressed to one of the person's emails or phones, or accepted by one of their
   * accounts, oldest first. Never the invite's code nor its hash.
   */
  invites: z.array(
    z.object({
      id: idSchema,
      tenant: z.object({ id: idSchema, code: z.string(), name: z.string() }),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      roles: z.array(z.string()),
      groups: z.array(z.string()),
      status: z.enum(inviteStatuses),
      created_at: timestampSchema,
      expires_at: timestampSchema,
      accepted_at: timestampSchema.nullable(),
      /** The account the invite made (one of the person's), when accepted by them. */
      accepted_account_id: idSchema.nullable(),
    }),
  ),
  /**
   * One-time codes sent to one of the person's emails or phones that can still be used (not spent, not
   * expired): that they exist and until when, never the code nor its hash.
   */
  pending_codes: z.array(
    z.object({
      id: idSchema,
      purpose: z.string(),
      /** The tenant the code signs in to, null for a code that only proves an address. */
      tenant_id: idSchema.nullable(),
      /** The email or phone number it was sent to. */
      sent_to: z.string(),
      created_at: timestampSchema,
      expires_at: timestampSchema,
    }),
  ),
  /** Sign-in links mailed to one of the person's emails that can still be used; never the link's token nor its hash. */
  pending_magic_links: z.array(
    z.object({
      id: idSchema,
      tenant_id: idSchema,
      email: z.string(),
      created_at: timestampSchema,
      expires_at: timestampSchema,
    }),
  ),
  /** Audit events whose actor or target is the person or one of their accounts, newest first. */
  audit_events: z.array(auditEventSchema),
  deletion_request: deletionRequestSchema.nullable(),
});
export type PersonalDataExport = z.infer<typeof personalDataExportSchema>;
