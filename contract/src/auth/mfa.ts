import { z } from 'zod';
import { c, problems, routeMeta } from '../common/route';
import { accessTokenSchema, otpCodeSchema, timestampSchema } from '../common/schemas';
import { presentedPasswordSchema } from './password';
import { tokenResponseSchema } from './schemas';

/**
 * TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s) with recovery codes, MFA-gated sign-in and
 * step-up. A sign-in whose first factor is right answers `401 mfa_required` with the extension members
 * `mfa_token`, `mfa_token_expires_at` and `mfa_methods` (see `problemSchema`) when the person has MFA
 * on; `POST /auth/mfa/verify` with that token and a code finishes it.
 */

/** A recovery code as shown: 16 characters in groups of four (`7k2m-9xq4-c8vd-3hzp`); case, dashes and spaces are ignored. */
export const recoveryCodeSchema = z
  .string()
  .max(64)
  .transform((value) => value.replace(/[\s-]/g, '').toLowerCase())
  .refine((value) => /^[0-9a-z]{16}$/.test(value), 'a recovery code has 16 letters and digits');

/** The opaque token of an MFA challenge (`emt_...`). */
export const mfaTokenSchema = z.string().min(1).max(128);

/** One second factor: a current TOTP code, or one of the recovery codes. */
const totpProof = z.strictObject({ code: otpCodeSchema });
const recoveryProof = z.strictObject({ recovery_code: recoveryCodeSchema });
export const secondFactorSchema = z.union([totpProof, recoveryProof]);
export type SecondFactor = z.infer<typeof secondFactorSchema>;

/** `POST /auth/mfa/verify`: the challenge's token and a TOTP code or a recovery code. */
export const mfaVerifyBodySchema = z.union([
  z.strictObject({ mfa_token: mfaTokenSchema, code: otpCodeSchema }),
  z.strictObject({ mfa_token: mfaTokenSchema, recovery_code: recoveryCodeSchema }),
]);
export type MfaVerifyBody = z.infer<typeof mfaVerifyBodySchema>;

/** `GET /auth/mfa`. */
export const mfaStatusSchema = z.object({
  /** TOTP confirmed and required at sign-in. */
  enabled: z.boolean(),
  /** An enrollment waiting for its first code. */
  pending: z.boolean(),
  enabled_at: timestampSchema.nullable(),
  recovery_codes_remaining: z.number().int(),
});
export type MfaStatus = z.infer<typeof mfaStatusSchema>;

/** `POST /auth/mfa/totp/enroll`: the secret, shown once, three ways. */
export const totpEnrollmentSchema = z.object({
  /** Base32, for typing into an authenticator app. */
  secret: z.string(),
  /** `otpauth://totp/...` (issuer: the tenant's name; label: the email). */
  otpauth_uri: z.string(),
  /** The URI as a QR code: a `data:image/png;base64,...` URL. */
  qr_code: z.string(),
});
export type TotpEnrollment = z.infer<typeof totpEnrollmentSchema>;

export const totpConfirmBodySchema = z.strictObject({ code: otpCodeSchema });
export type TotpConfirmBody = z.infer<typeof totpConfirmBodySchema>;

/** Ten single-use codes, shown once (only their keyed hashes are stored). */
export const recoveryCodesSchema = z.object({ recovery_codes: z.array(z.string()) });
export type RecoveryCodes = z.infer<typeof recoveryCodesSchema>;

/** `POST /auth/mfa/totp/disable`: a second factor, plus the password when the person has one. */
export const totpDisableBodySchema = z.union([
  z.strictObject({ code: otpCodeSchema, password: presentedPasswordSchema.optional() }),
  z.strictObject({ recovery_code: recoveryCodeSchema, password: presentedPasswordSchema.optional() }),
]);
export type TotpDisableBody = z.infer<typeof totpDisableBodySchema>;

/** `POST /auth/mfa/step-up`: a fresh access token for the same session, with `mfa_at` = now. */
export const stepUpResponseSchema = z.object({
  /** The new access token (same session; the refresh token is unchanged). */
  token: accessTokenSchema,
  token_type: z.literal('Bearer'),
  expires_at: timestampSchema,
  amr: z.array(z.string()),
  /** When the session last completed a second factor (also the token's `mfa_at` claim, in seconds). */
  mfa_at: timestampSchema,
});
export type StepUpResponse = z.infer<typeof stepUpResponseSchema>;

/** `POST /auth/mfa/enroll`: the token of a sign-in that must enrol before its first token. */
export const mfaEnrollBodySchema = z.strictObject({ mfa_token: mfaTokenSchema });
export type MfaEnrollBody = z.infer<typeof mfaEnrollBodySchema>;

/** `POST /auth/mfa/enroll/confirm`: the same token and the first code from the authenticator app. */
export const mfaEnrollConfirmBodySchema = z.strictObject({ mfa_token: mfaTokenSchema, code: otpCodeSchema });
export type MfaEnrollConfirmBody = z.infer<typeof mfaEnrollConfirmBodySchema>;

/** The sign-in's tokens, and the ten recovery codes of the new second factor (shown once). */
export const mfaEnrolledSignInSchema = tokenResponseSchema.extend({ recovery_codes: z.array(z.string()) });
export type MfaEnrolledSignIn = z.infer<typeof mfaEnrolledSignInSchema>;

const meta = routeMeta('MFA');

export const mfaContract = c.router({
  status: {
    method: 'GET',
    path: '/auth/mfa',
    summary: "The signed-in person's second factor: enabled, pending, recovery codes left",
    responses: { 200: mfaStatusSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  enroll: {
    method: 'POST',
    path: '/auth/mfa/totp/enroll',
    summary: 'Start TOTP enrollment: a new secret, its otpauth URI and QR code',
    description:
      'Replaces a pending enrollment. `409 conflict` when TOTP is already enabled (disable it first). The secret is stored encrypted with the master key.',
    body: c.noBody(),
    responses: { 200: totpEnrollmentSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
  confirm: {
    method: 'POST',
    path: '/auth/mfa/totp/confirm',
    summary: 'Confirm TOTP with a code from the app: MFA is on; answers ten recovery codes (once)',
    body: totpConfirmBodySchema,
    responses: { 200: recoveryCodesSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
  disable: {
    method: 'POST',
    path: '/auth/mfa/totp/disable',
    summary: 'Turn MFA off (a TOTP or recovery code, and the password when there is one)',
    body: totpDisableBodySchema,
    responses: { 200: mfaStatusSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
  regenerateRecoveryCodes: {
    method: 'POST',
    path: '/auth/mfa/recovery-codes/regenerate',
    summary: 'Ten new recovery codes (the old ones stop working); needs a TOTP or recovery code',
    body: secondFactorSchema,
    responses: { 200: recoveryCodesSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
  verify: {
    method: 'POST',
    path: '/auth/mfa/verify',
    summary: 'Finish an MFA-gated sign-in with the `mfa_token` and a TOTP or recovery code',
    description:
      'The token works once, for 5 minutes, and burns after 5 wrong codes (`401 mfa_token_invalid`). A TOTP code already used in its time step is refused (`401 invalid_mfa_code`).',
    body: mfaVerifyBodySchema,
    responses: { 200: tokenResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'none' }),
  },
  enrollAtSignIn: {
    method: 'POST',
    path: '/auth/mfa/enroll',
    summary:
      'Start the TOTP enrollment a tenant requires, with the `mfa_token` of `401 mfa_enrollment_required`',
    description:
      'Answers a new secret as `POST /auth/mfa/totp/enroll` does; the token stays usable for the confirmation. `401 mfa_token_invalid` for an unknown, used or expired token; `409 conflict` when the person has TOTP on already (finish with `POST /auth/mfa/verify`).',
    body: mfaEnrollBodySchema,
    responses: { 200: totpEnrollmentSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'none' }),
  },
  confirmEnrollmentAtSignIn: {
    method: 'POST',
    path: '/auth/mfa/enroll/confirm',
    summary:
      'Confirm the required TOTP with a first code: MFA is on and the sign-in finishes (tokens and recovery codes)',
    description:
      'The token works once, for 5 minutes, and burns after 5 wrong codes (`401 mfa_token_invalid`). The session carries `mfa_at` = now.',
    body: mfaEnrollConfirmBodySchema,
    responses: { 200: mfaEnrolledSignInSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'none' }),
  },
  stepUp: {
    method: 'POST',
    path: '/auth/mfa/step-up',
    summary: "Prove the second factor again: refreshes the session's `mfa_at` and answers a new access token",
    description:
      'Policies read `subject.attributes.mfa_age_seconds` (seconds since the last MFA) to demand a recent one. `409 mfa_not_enabled` when the person has no second factor.',
    body: secondFactorSchema,
    responses: { 200: stepUpResponseSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
});
