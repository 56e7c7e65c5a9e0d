import { z } from 'zod';
import { c, problems, routeMeta } from '../common/route';
import { emailSchema, otpCodeSchema, tenantCodeSchema, timestampSchema } from '../common/schemas';

/**
 * Passwords (NIST SP 800-63B): at least 8 characters, up to 256 (never truncated), any characters
 * (Unicode normalised to NFKC), no composition rules. Common, breached-pattern and context-specific
 * passwords (the email, the service's name) are refused by the server with `400 weak_password` and
 * the reason; the length bounds are checked here, in the contract.
 */
export const passwordPolicy = {
  minLength: 8,
  maxLength: 256,
} as const;

/** Characters as a person counts them (Unicode code points), not UTF-16 units. */
const characters = (value: string) => [...value].length;

/** A password being chosen (register, change, reset). */
export const newPasswordSchema = z
  .string()
  .max(passwordPolicy.maxLength * 4)
  .refine((value) => characters(value) >= passwordPolicy.minLength, {
    message: `a password has at least ${passwordPolicy.minLength} characters`,
    abort: true,
  })
  .refine((value) => characters(value) <= passwordPolicy.maxLength, {
    message: `a password has at most ${passwordPolicy.maxLength} characters`,
  });

/**
 * A password being presented (login, change, disabling MFA): only bounded, so that the answer to a
 * wrong one never tells which policy it would break.
 */
export const presentedPasswordSchema = z
  .string()
  .min(1)
  .max(passwordPolicy.maxLength * 4);

/** `POST /auth/login` with `provider: "password"`. */
export const passwordLoginBodySchema = z.strictObject({
  provider: z.literal('password'),
  email: emailSchema,
  password: presentedPasswordSchema,
  tenant_code: tenantCodeSchema,
});
export type PasswordLoginBody = z.infer<typeof passwordLoginBodySchema>;

/**
 * `POST /auth/register` with `provider: "password"`: sets the password of a NEW person. For an email
 * that is already registered nothing changes (same answer: set a password with the reset flow).
 */
export const registerPasswordBodySchema = z.strictObject({
  provider: z.literal('password'),
  email: emailSchema,
  password: newPasswordSchema,
  tenant_code: tenantCodeSchema.optional(),
});
export type RegisterPasswordBody = z.infer<typeof registerPasswordBodySchema>;

/** `POST /auth/password/change`: needs the current password; ends every other session. */
export const changePasswordBodySchema = z.strictObject({
  current_password: presentedPasswordSchema,
  new_password: newPasswordSchema,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export const changePasswordResponseSchema = z.object({
  changed: z.literal(true),
  /** The person's other sessions (every tenant) that were ended. */
  sessions_revoked: z.number().int(),
});
export type ChangePasswordResponse = z.infer<typeof changePasswordResponseSchema>;

/** `POST /auth/password/reset/request`. */
export const passwordResetRequestBodySchema = z.strictObject({
  email: emailSchema,
  tenant_code: tenantCodeSchema,
});
export type PasswordResetRequestBody = z.infer<typeof passwordResetRequestBodySchema>;

/** The same answer whether or not the email belongs to anyone. */
export const passwordResetRequestResponseSchema = z.object({
  sent: z.literal(true),
  channel: z.enum(['email']),
  expires_at: timestampSchema,
  /** The code itself, only from a development or test server; never in production. */
  code: z.string().optional(),
});
export type PasswordResetRequestResponse = z.infer<typeof passwordResetRequestResponseSchema>;

/** `POST /auth/password/reset/confirm`: the emailed code and the new password. */
export const passwordResetConfirmBodySchema = z.strictObject({
  email: emailSchema,
  tenant_code: tenantCodeSchema,
  code: otpCodeSchema,
  new_password: newPasswordSchema,
});
export type PasswordResetConfirmBody = z.infer<typeof passwordResetConfirmBodySchema>;

export const passwordResetConfirmResponseSchema = z.object({
  reset: z.literal(true),
  /** Every session of the person (every tenant) was ended. */
  sessions_revoked: z.number().int(),
});
export type PasswordResetConfirmResponse = z.infer<typeof passwordResetConfirmResponseSchema>;

const meta = routeMeta('Auth');

export const passwordContract = c.router({
  change: {
    method: 'POST',
    path: '/auth/password/change',
    summary: 'Change the password (needs the current one); ends every other session',
    description:
      'A wrong current password is `401 invalid_credentials` and counts towards the sign-in throttle. A common or guessable new password is `400 weak_password`.',
    body: changePasswordBodySchema,
    responses: { 200: changePasswordResponseSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
  requestReset: {
    method: 'POST',
    path: '/auth/password/reset/request',
    summary: 'Mail a code that sets a new password',
    description:
      'Answers the same whether or not the email belongs to anyone. In development mode the code is in the answer.',
    body: passwordResetRequestBodySchema,
    responses: { 200: passwordResetRequestResponseSchema, ...problems(403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  confirmReset: {
    method: 'POST',
    path: '/auth/password/reset/confirm',
    summary: 'Set a new password with the mailed code; ends every session',
    description:
      'The code proves the email. A wrong, used or expired code is `401 invalid_otp`; MFA stays on (a reset never removes the second factor).',
    body: passwordResetConfirmBodySchema,
    responses: { 200: passwordResetConfirmResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'none' }),
  },
});
