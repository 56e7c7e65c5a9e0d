import { z } from 'zod';
import { otpCodeSchema, tenantCodeSchema } from '../common/schemas';

/**
 * A phone number in E.164 form (`+14155550100`). Spaces, dots, dashes and parentheses are
 * dropped on the way in, so `+1 (415) 555-0100` is accepted as the same number.
 */
export const phoneSchema = z
  .string()
  .max(32)
  .overwrite((value) => value.replace(/[\s().-]/g, ''))
  .regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164 form, like +14155550100');

/**
 * `POST /auth/otp/request` by SMS. With a tenant code the code signs in to that tenant
 * (`provider: 'phone_otp'`); without one it only proves the number (linking it with
 * `POST /auth/identities/phone`).
 */
export const otpRequestPhoneBodySchema = z.strictObject({
  phone: phoneSchema,
  tenant_code: tenantCodeSchema.optional(),
});
export type OtpRequestPhoneBody = z.infer<typeof otpRequestPhoneBodySchema>;

/** `POST /auth/login` with a phone number and the code sent to it by SMS. */
export const phoneOtpLoginBodySchema = z.strictObject({
  provider: z.literal('phone_otp'),
  phone: phoneSchema,
  otp: otpCodeSchema,
  tenant_code: tenantCodeSchema,
});
export type PhoneOtpLoginBody = z.infer<typeof phoneOtpLoginBodySchema>;

/** `POST /auth/identities/phone`: links a number, proven by a code requested without a tenant code. */
export const linkPhoneBodySchema = z.strictObject({
  phone: phoneSchema,
  otp: otpCodeSchema,
});
export type LinkPhoneBody = z.infer<typeof linkPhoneBodySchema>;
