import { z } from 'zod';
import { descriptionSchema, identifierSchema, idSchema, timestampSchema } from '../common/schemas';
import { actionPatternSchema } from '../policy/schema';

export const groupSchema = z.object({
  id: idSchema,
  /** lower_snake_case; what policies and tokens refer to (`subject.groups`). */
  name: z.string(),
  description: z.string().nullable(),
  /** Permission patterns membership grants. */
  permissions: z.array(z.string()),
  created_at: timestampSchema,
});
export type Group = z.infer<typeof groupSchema>;

export const createGroupBodySchema = z.strictObject({
  name: identifierSchema,
  description: descriptionSchema.optional(),
  permissions: z.array(actionPatternSchema).max(500).optional(),
});
export type CreateGroupBody = z.infer<typeof createGroupBodySchema>;

/**
 * `PATCH /groups/{id}`: `permissions` replaces what the group itself grants (a policy document's
 * permissions for a group of that name stay: `PUT /policy` changes those); `description: null` removes it.
 */
export const updateGroupBodySchema = z
  .strictObject({
    description: descriptionSchema.nullable().optional(),
    permissions: z.array(actionPatternSchema).max(500).optional(),
  })
  .refine((b) => b.description !== undefined || b.permissions !== undefined, {
    message: 'send description, permissions or both',
  });
export type UpdateGroupBody = z.infer<typeof updateGroupBodySchema>;

export const addGroupMemberBodySchema = z.strictObject({ account_id: idSchema });
export type AddGroupMemberBody = z.infer<typeof addGroupMemberBodySchema>;

export const groupMembershipSchema = z.object({
  group_id: idSchema,
  account_id: idSchema,
  created_at: timestampSchema,
});
export type GroupMembership = z.infer<typeof groupMembershipSchema>;

export const groupMemberParamsSchema = z.object({ id: idSchema, account_id: idSchema });
