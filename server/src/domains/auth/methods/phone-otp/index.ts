import type { LinkPhoneBody } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OtpCodes } from '../../otp.js';
import type { Authentication, SignInMethod } from '../method.js';

/**
 * `phone_otp`: a six-digit code sent by SMS (`POST /auth/otp/request` with `phone` and the tenant code),
 * exchanged at `POST /auth/login`. The same one-time code rules as email (`otp.ts`: keyed hash, ten
 * minutes, single use, five wrong tries); the code is bound to the number, the tenant and the purpose
 * `phone_login`. The person is found by the E.164 number.
 */
export const phoneOtpMethod = {
  id: 'phone_otp',
  amr: ['sms'],
  async authenticate(ctx, body) {
    const check = await ctx.services.otp.verify(
      ctx.em,
      { email: body.phone, tenantId: ctx.tenant.id, purpose: 'phone_login' },
      body.otp,
    );
    if (!check.ok) return { ok: false, error: check.error, reason: check.reason };
    return { ok: true, identity: { provider: 'phone_otp', subject: body.phone } };
  },
} satisfies SignInMethod<'phone_otp'>;

/** Proves a phone number for linking: a code sent without a tenant code (purpose `verify_phone`). */
export async function provePhone(
  em: EntityManager,
  services: { otp: OtpCodes },
  body: LinkPhoneBody,
): Promise<Authentication> {
  const check = await services.otp.verify(
    em,
    { email: body.phone, tenantId: null, purpose: 'verify_phone' },
    body.otp,
  );
  if (!check.ok) return { ok: false, error: check.error, reason: check.reason };
  return { ok: true, identity: { provider: 'phone_otp', subject: body.phone } };
}
