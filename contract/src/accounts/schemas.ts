import { z } from 'zod';
import {
  emailSchema,
  identifierSchema,
  idSchema,
  paginationQuerySchema,
  timestampInputSchema,
  timestampSchema,
} from '../common/schemas';
import { storableText } from '../common/text';
import { metadataPatchSchema, metadataSchema } from './metadata';

/**
 * Where an account stands: `active` signs in; `locked` (an admin's lock, until a time or until lifted),
 * `banned`, `deactivated` and `deleted` (soft: the data stays, lists hide it) do not.
 */
export const accountStatuses = ['active', 'locked', 'banned', 'deactivated', 'deleted'] as const;
export const accountStatusSchema = z.enum(accountStatuses);
export type AccountStatus = z.infer<typeof accountStatusSchema>;

/** Who last changed an account's status: an admin's account or an API key (null: never changed, or by itself). */
export const statusActorSchema = z.object({ type: z.enum(['account', 'api_key']), id: idSchema });

/** A person's membership in one tenant (the seed's "user"). */
export const accountSchema = z.object({
  id: idSchema,
  person_id: idSchema,
  tenant_id: idSchema,
  /** Null for a person without an email (a wallet or phone sign-in, later). */
  email: z.string().nullable(),
  /**
   * The account's primary role, kept for clients written before `roles`: the first of its roles still
   * held, in the order they were granted (`PUT /accounts/{id}/role` makes it the only one).
   */
  role: z.string(),
  /** Every role the account holds (at least one), sorted; tokens' `roles` claim carries them all. */
  roles: z.array(z.string()),
  /**
   * `status === 'active'`, kept for clients written before `status`: an inactive account cannot sign in or
   * switch into its tenant; its tokens stop working.
   */
  active: z.boolean(),
  status: accountStatusSchema,
  /** The reason the admin gave for the last status change (lock, ban), or null. */
  status_reason: z.string().nullable(),
  status_changed_at: timestampSchema.nullable(),
  status_changed_by: statusActorSchema.nullable(),
  /** Set while `status` is `locked` by a lock with `until`: the lock lapses then (see docs/api.md). */
  locked_until: timestampSchema.nullable(),
  /** Names of the groups the account belongs to. */
  groups: z.array(z.string()),
  created_at: timestampSchema,
  /**
   * Metadata (see `PATCH /accounts/{id}`). Account routes show `public_metadata` and `user_metadata`, and
   * `private_metadata` only to a caller who could change it (`accounts.update` and reach over its role); `GET /auth/me` shows the
   * first two; token answers carry none.
   */
  public_metadata: metadataSchema.optional(),
  private_metadata: metadataSchema.optional(),
  user_metadata: metadataSchema.optional(),
});
export type Account = z.infer<typeof accountSchema>;

/** `GET /accounts` filters, all optional, combined with AND. */
export const listAccountsQuerySchema = paginationQuerySchema.extend({
  email: emailSchema.optional(),
  /** Accounts that hold this role (among others). */
  role: z.optional(identifierSchema),
  active: z.stringbool({ truthy: ['true'], falsy: ['false'] }).optional(),
  status: accountStatusSchema.optional(),
  /** `deleted`: soft-deleted accounts are listed too (they are hidden otherwise, unless `status=deleted`). */
  include: z.literal('deleted').optional(),
});
export type ListAccountsQuery = z.infer<typeof listAccountsQuerySchema>;

export const setAccountRoleBodySchema = z.strictObject({ role: identifierSchema });
export type SetAccountRoleBody = z.infer<typeof setAccountRoleBodySchema>;

/** `POST /accounts/{id}/roles`: one more role for the account. */
export const addAccountRoleBodySchema = z.strictObject({ role: identifierSchema });
export type AddAccountRoleBody = z.infer<typeof addAccountRoleBodySchema>;

/** `DELETE /accounts/{id}/roles/{role}`. */
export const accountRoleParamsSchema = z.object({ id: idSchema, role: identifierSchema });

export const setAccountActiveBodySchema = z.strictObject({ active: z.boolean() });
export type SetAccountActiveBody = z.infer<typeof setAccountActiveBodySchema>;

/** Why an admin changes an account's status: kept on the account (`status_reason`) and in the audit log. */
export const statusReasonSchema = z.string().trim().min(1).max(500).check(storableText);

/** `POST /accounts/{id}/lock`: without `until` the lock holds until `POST /accounts/{id}/unlock`. */
export const lockAccountBodySchema = z.strictObject({
  reason: statusReasonSchema,
  until: timestampInputSchema.optional(),
});
export type LockAccountBody = z.infer<typeof lockAccountBodySchema>;

/** `POST /accounts/{id}/ban`, `POST /accounts/{id}/mfa/reset`. */
export const reasonBodySchema = z.strictObject({ reason: statusReasonSchema });
export type ReasonBody = z.infer<typeof reasonBodySchema>;

/** `POST /accounts/{id}/mfa/reset`: what went. */
export const resetAccountMfaResponseSchema = z.object({
  /** Whether the person had an authenticator (TOTP); their recovery codes went with it. */
  totp_removed: z.boolean(),
  /** How many of the account's sessions were ended. */
  sessions_ended: z.number().int().nonnegative(),
});
export type ResetAccountMfaResponse = z.infer<typeof resetAccountMfaResponseSchema>;

/** `PATCH /accounts/{id}`: the metadata objects to change (at least one). */
export const updateAccountBodySchema = z
  .strictObject({
    public_metadata: metadataPatchSchema.optional(),
    private_metadata: metadataPatchSchema.optional(),
  })
  .refine((body) => body.public_metadata !== undefined || body.private_metadata !== undefined, {
    message: 'give public_metadata, private_metadata or both',
  });
export type UpdateAccountBody = z.infer<typeof updateAccountBodySchema>;

/** `PATCH /auth/me/metadata`: the caller's change to their own account's `user_metadata` (merged). */
export const updateUserMetadataBodySchema = z.strictObject({ user_metadata: metadataPatchSchema });
export type UpdateUserMetadataBody = z.infer<typeof updateUserMetadataBodySchema>;
