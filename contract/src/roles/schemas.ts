import { z } from 'zod';

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
