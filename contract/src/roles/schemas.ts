import { z } from 'zod';
import { descriptionSchema, identifierSchema } from '../common/schemas';
import { actionPatternSchema } from '../policy/schema';

/** One entry of the role catalog: the tenant policy's roles plus the built-in ones. */
export const roleSchema = z.object({
  name: z.string(),
  /** Permission patterns: `accounts.read`, `accounts.*`, `*`. */
  permissions: z.array(z.string()),
  description: z.string().nullable(),
  /** Built-in roles (`owner`, `admin`, `member`) exist in every tenant and cannot be removed. */
  built_in: z.boolean(),
});
export type Role = z.infer<typeof roleSchema>;

/** Permission patterns in a role or group body (the tenant's limit, `max_permissions_per_role`, may be lower). */
const permissionsSchema = z.array(actionPatternSchema).max(500);

/** `POST /roles`: a custom role, written into the tenant's policy document (`roles.<name>`). */
export const createRoleBodySchema = z.strictObject({
  name: identifierSchema,
  description: descriptionSchema.optional(),
  permissions: permissionsSchema,
});
export type CreateRoleBody = z.infer<typeof createRoleBodySchema>;

/** `PATCH /roles/{name}`: `permissions` replaces the whole list; `description: null` removes it. */
export const updateRoleBodySchema = z
  .strictObject({
    description: descriptionSchema.nullable().optional(),
    permissions: permissionsSchema.optional(),
  })
  .refine((b) => b.description !== undefined || b.permissions !== undefined, {
    message: 'send description, permissions or both',
  });
export type UpdateRoleBody = z.infer<typeof updateRoleBodySchema>;

export const roleParamsSchema = z.object({ name: identifierSchema });

/** `DELETE /roles/{name}?reassign_to=`: where the role's accounts move when it is in use. */
export const deleteRoleQuerySchema = z.object({ reassign_to: z.optional(identifierSchema) });

/**
 * Role writes edit the policy document, so they take `PUT /policy`'s `If-Match` (a stale ETag is
 * `412 precondition_failed`) and answer the new document's ETag.
 */
export const roleWriteHeaders = { 'if-match': z.string().max(256).optional() };
