import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext } from '../context.js';
import { otpMessage } from '../mail/messages.js';
import { requestPhoneOtp } from '../methods/phone-otp/request-code.js';
import { OTP_TTL_SECONDS } from '../otp.js';
import { sendCode } from '../send-code.js';

/**
 * `POST /auth/otp/request`: mails a six-digit code (or texts one, with `phone`). With a
 * tenant code the code signs in to that tenant (`POST /auth/login`); without one it only
 * proves the email (`POST /tenants/self-serve`). The answer never depends on whether the
 * email belongs to anyone (see `sendCode`).
 */
export const requestOtp: AppRouteImplementation<typeof contract.auth.requestOtp> = async ({
  body,
  request,
}) => {
  if ('phone' in body) return requestPhoneOtp(body, request);
  const { services } = authContext(request);
  return sendCode(request, body.tenant_code, {
    channel: 'email',
    provider: 'email_otp',
    address: body.email,
    auditDetails: { email: body.email },
    deliver: (code, tenant) =>
      services.mail.send(otpMessage({ to: body.email, code, tenant, ttlSeconds: OTP_TTL_SECONDS })),
  });
};
