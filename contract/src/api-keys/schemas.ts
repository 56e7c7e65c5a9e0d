import { z } from 'zod';
import {
  identifierSchema,
  idSchema,
  nameSchema,
  timestampInputSchema,
  timestampSchema,
} from '../common/schemas';

export const createApiKeyBodySchema = z.strictObject({
  name: nameSchema,
  /** Must be in the future. Without it the key lives until deleted. */
  expires_at: timestampInputSchema.optional(),
  /** The role the key acts with; defaults to `admin`. A key never outranks its creator. */
  role: z.optional(identifierSchema),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

/** An API key as listed: never the key itself, which is stored only as a hash. */
export const apiKeySchema = z.object({
  id: idSchema,
  name: z.string(),
  /** The first characters of the key, to recognise it (`enf_live_1a2b`). */
  prefix: z.string(),
  role: z.string(),
  created_at: timestampSchema,
  expires_at: timestampSchema.nullable(),
  last_used_at: timestampSchema.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** `POST /api-keys` answer: the only time the plaintext `key` is ever shown. */
export const createdApiKeySchema = apiKeySchema.omit({ last_used_at: true }).extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;
