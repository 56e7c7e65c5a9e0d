import type { OtpRequestPhoneBody } from '@enforcer/contract';
import type { FastifyRequest } from 'fastify';
import type { ITenant } from '../../../../entities/tenants.js';
import { authContext } from '../../context.js';
import { OTP_TTL_SECONDS } from '../../otp.js';
import { type RequestOtpResult, sendCode } from '../../send-code.js';

/** The SMS text. The code leads (lock screens show the start); no link, nothing else secret. */
export const smsText = (code: string, tenant: ITenant | null, ttlSeconds: number) =>
  `${code} is your ${tenant ? tenant.name : 'Enforcer'} code. It expires in ${Math.round(ttlSeconds / 60)} minutes. Never share it.`;

/**
 * `POST /auth/otp/request` with `phone`: the same rules and the same answers as by email. With a tenant
 * code the code signs in to that tenant (`phone_otp`); without one it only proves the number
 * (`POST /auth/identities/phone`). Every well-formed number gets a code, known or not; a tenant that does
 * not accept `phone_otp` gets the same answer and nothing is sent. A message the SMS gateway does not
 * take is `503 unavailable`.
 */
export function requestPhoneOtp(
  body: OtpRequestPhoneBody,
  request: FastifyRequest,
): Promise<RequestOtpResult> {
  const { services } = authContext(request);
  return sendCode(request, body.tenant_code, {
    channel: 'sms',
    provider: 'phone_otp',
    address: body.phone,
    auditDetails: { phone: body.phone },
    deliver: (code, tenant) =>
      services.sms.send({ to: body.phone, text: smsText(code, tenant, OTP_TTL_SECONDS) }),
  });
}
