import { z } from 'zod';
import {
  emailSchema,
  identifierSchema,
  idSchema,
  paginationQuerySchema,
  timestampSchema,
} from '../common/schemas';

/** A person's membership in one tenant (the seed's "user"). */
export const accountSchema = z.object({
  id: idSchema,
  person_id: idSchema,
  tenant_id: idSchema,
  /** Null for a person without an email (a wallet or phone sign-in, later). */
  email: z.string().nullable(),
  role: z.string(),
  /** An inactive account cannot sign in or switch into its tenant; its tokens stop working. */
  active: z.boolean(),
  /** Names of the groups the account belongs to. */
  groups: z.array(z.string()),
  created_at: timestampSchema,
});
export type Account = z.infer<typeof accountSchema>;

/** `GET /accounts` filters, all optional, combined with AND. */
export const listAccountsQuerySchema = paginationQuerySchema.extend({
  email: emailSchema.optional(),
  role: z.optional(identifierSchema),
  active: z.stringbool({ truthy: ['true'], falsy: ['false'] }).optional(),
});
export type ListAccountsQuery = z.infer<typeof listAccountsQuerySchema>;

export const setAccountRoleBodySchema = z.strictObject({ role: identifierSchema });
export type SetAccountRoleBody = z.infer<typeof setAccountRoleBodySchema>;

export const setAccountActiveBodySchema = z.strictObject({ active: z.boolean() });
export type SetAccountActiveBody = z.infer<typeof setAccountActiveBodySchema>;
