import { z } from 'zod';
import { phoneSchema } from '../auth/phone';
import { emailSchema, identifierSchema, idSchema, timestampSchema } from '../common/schemas';

/**
 * `POST /accounts`: provision a membership for whoever proves control of this email and/or phone. Nobody
 * is created or merged now: the account comes into being when a person proves one of them (accepting the
 * invitation mail, or signing in to the tenant with it). `roles` default to `member`.
 */
export const provisionAccountBodySchema = z
  .strictObject({
    email: emailSchema.optional(),
    phone: phoneSchema.optional(),
    roles: z.array(identifierSchema).min(1).max(50).optional(),
    groups: z.array(identifierSchema).max(50).optional(),
    /** Mail an invitation (with its accept link) to `email`; default false. */
    send_invitation: z.boolean().optional(),
    /** Where the invitation's accept link points: one of the tenant's registered redirect URLs. */
    redirect_url: z.url().max(2048).optional(),
  })
  .refine((b) => b.email !== undefined || b.phone !== undefined, {
    message: 'give an email, a phone, or both',
    path: ['email'],
  })
  .refine((b) => !b.send_invitation || b.email !== undefined, {
    message: 'an invitation is mailed: give an email',
    path: ['send_invitation'],
  });
export type ProvisionAccountBody = z.infer<typeof provisionAccountBodySchema>;

/** `Idempotency-Key`: the same key and body answer the first answer (24 hours, per tenant). */
export const provisionAccountHeaders = {
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII')
    .optional(),
};

/** A pending provisioning: the account it makes once someone proves the email or the phone. */
export const provisioningSchema = z.object({
  id: idSchema,
  email: z.string().nullable(),
  phone: z.string().nullable(),
  /** Sorted; the first granted (the request's first) becomes the account's primary role. */
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  status: z.enum(['pending', 'accepted', 'expired', 'revoked']),
  expires_at: timestampSchema,
  /** Whether the invitation was mailed to `email`. */
  mailed: z.boolean(),
});
export type Provisioning = z.infer<typeof provisioningSchema>;
