import { z } from 'zod';
import { timestampSchema } from '../common/schemas';

/**
 * The KYC module (#16): a tenant switches it on, picks a provider, and a person who passes verification
 * joins the tenant's configured group (`verified` by default), which is what unlocks gated actions.
 */

/** `development`: a hosted-page stand-in served by Enforcer (demos, tests); `persona`: withpersona.com. */
export const kycProviders = ['development', 'persona'] as const;
export const kycProviderSchema = z.enum(kycProviders);
export type KycProvider = z.infer<typeof kycProviderSchema>;

/** Where a verification stands. `none`: never started (in this tenant, and none carried from another). */
export const kycStatuses = ['none', 'pending', 'approved', 'rejected', 'expired'] as const;
export const kycStatusSchema = z.enum(kycStatuses);
export type KycStatus = z.infer<typeof kycStatusSchema>;

/** A provider secret as sent: set it (a string), clear it (null), or leave it as it is (absent). */
const secretInput = z.string().min(8).max(512).nullable().optional();

export const putKycSettingsBodySchema = z.object({
  enabled: z.boolean(),
  provider: kycProviderSchema,
  /** The group an approved person's account joins (created if missing). Default `verified`. */
  group: z
    .string()
    .max(64)
    .regex(/^[a-z][a-z0-9_]*$/, 'a group name is lower_snake_case')
    .optional(),
  /** Whether a person verified through another tenant counts as verified here without verifying again. */
  accept_other_tenants: z.boolean().optional(),
  /** Persona: the inquiry template the hosted flow runs (`itmpl_…`). */
  template_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/)
    .nullable()
    .optional(),
  /** Persona: the environment of the template (`env_…`), when the account has several. */
  environment_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/)
    .nullable()
    .optional(),
  /** The provider's webhook signing secret (Persona: `wbhsec_…`). Stored encrypted, never answered. */
  webhook_secret: secretInput,
  /** The provider's API key. Stored encrypted, never answered. */
  api_key: secretInput,
});
export type PutKycSettingsBody = z.infer<typeof putKycSettingsBodySchema>;

export const kycSettingsSchema = z.object({
  enabled: z.boolean(),
  provider: kycProviderSchema,
  group: z.string(),
  accept_other_tenants: z.boolean(),
  template_id: z.string().nullable(),
  environment_id: z.string().nullable(),
  /** Whether a webhook secret is stored (the secret itself is never answered). */
  webhook_secret_set: z.boolean(),
  api_key_set: z.boolean(),
  updated_at: timestampSchema.nullable(),
});
export type KycSettings = z.infer<typeof kycSettingsSchema>;

export const createKycSessionBodySchema = z
  .object({
    /** Where the provider's page sends the person back when they are done (Persona's `redirect-uri`). */
    redirect_url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
  })
  .optional();

export const kycSessionSchema = z.object({
  id: z.uuid(),
  provider: z.enum([...kycProviders, 'carried']),
  status: kycStatusSchema,
  /** The page the person opens to verify (null when nothing is left to do: already verified). */
  url: z.string().nullable(),
  created_at: timestampSchema,
});
export type KycSession = z.infer<typeof kycSessionSchema>;

export const kycStatusResponseSchema = z.object({
  /** Where the signed-in person stands in this tenant. */
  status: kycStatusSchema,
  /** `verified` once approved here (or carried from another tenant that this tenant accepts), else `none`. */
  level: z.enum(['none', 'verified']),
  /** Whether the person holds a verification from another tenant that this tenant could accept. */
  verified_elsewhere: z.boolean(),
  /** The latest verification session in this tenant, if any. */
  session: kycSessionSchema.omit({ url: true }).nullable(),
  verified_at: timestampSchema.nullable(),
});
export type KycStatusResponse = z.infer<typeof kycStatusResponseSchema>;

export const kycWebhookParamsSchema = z.object({ provider: kycProviderSchema });
/** A provider's JSON event; its exact bytes are what the signature covers. */
export const kycWebhookBodySchema = z.record(z.string(), z.unknown());
export const kycWebhookResponseSchema = z.object({
  /** `processed`: applied now; `duplicate`: this event id was processed before; `ignored`: not an outcome. */
  result: z.enum(['processed', 'duplicate', 'ignored']),
});

export const kycDevParamsSchema = z.object({
  token: z
    .string()
    .min(16)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/),
});
export const kycDevDecisionBodySchema = z.object({ decision: z.enum(['approved', 'rejected']) });
