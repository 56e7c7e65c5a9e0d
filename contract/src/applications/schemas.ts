import { z } from 'zod';
import { descriptionSchema, idSchema, nameSchema, timestampSchema } from '../common/schemas';
import { actionSchema } from '../policy/schema';

/**
 * A scope of an application: one action of the tenant's policy (`reports.read`). Wildcards are not scopes:
 * an application is given exactly what it needs, and a scope never grows when the policy does.
 */
export const applicationScopeSchema = actionSchema;

/** The scopes of an application: at least one, at most 100, no repeats (repeats are dropped). */
export const applicationScopesSchema = z
  .array(applicationScopeSchema)
  .check(z.minLength(1), z.maxLength(100))
  .transform((scopes) => [...new Set(scopes)]);

export const createApplicationBodySchema = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.optional(),
  /** Actions of the tenant's policy the application may be given, each one the caller holds itself. */
  scopes: applicationScopesSchema,
});
export type CreateApplicationBody = z.infer<typeof createApplicationBodySchema>;

export const updateApplicationBodySchema = z
  .strictObject({
    name: nameSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    scopes: applicationScopesSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one of name, description, scopes');
export type UpdateApplicationBody = z.infer<typeof updateApplicationBodySchema>;

/** A machine client of one tenant, as listed: never its secret, which is stored only as a hash. */
export const applicationSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  /** The public identifier the application authenticates with at `POST /oauth/token` (`enfapp_...`). */
  client_id: z.string(),
  /** The first characters of the current secret, to recognise it (`enfsec_1a2b3c4d`). */
  secret_prefix: z.string(),
  scopes: z.array(z.string()),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  /** When the secret was last set (creation or `rotate-secret`). */
  secret_rotated_at: timestampSchema,
  /** When the application last obtained a token (recorded at most once a minute). */
  last_used_at: timestampSchema.nullable(),
});
export type Application = z.infer<typeof applicationSchema>;

/** `POST /applications` and `POST /applications/{id}/rotate-secret`: the only time `client_secret` is shown. */
export const applicationWithSecretSchema = applicationSchema.extend({ client_secret: z.string() });
export type ApplicationWithSecret = z.infer<typeof applicationWithSecretSchema>;
