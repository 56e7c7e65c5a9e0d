import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../../lib/errors.js';
import { recordAudit } from '../../../../audit/record-audit.js';
import { authContext, tenantByCode } from '../../../context.js';
import { OTP_TTL_SECONDS } from '../../../otp.js';
import { passwordResetMessage } from '../messages.js';

/**
 * `POST /auth/password/reset/request`: mails a six-digit code (the one-time-code machinery: ten minutes,
 * single use, keyed hash, five wrong tries per chain of requests, and asking again never resets that
 * count). A code is issued and mailed for every well-formed email, so the answer, its timing and the work
 * done never depend on whether the email belongs to anyone. `403 provider_not_allowed` when the tenant
 * does not accept passwords (the accepted methods are public anyway).
 */
export const requestReset: AppRouteImplementation<typeof contract.password.requestReset> = async ({
  body,
  request,
}) => {
  const { services, em, client } = authContext(request);
  const tenant = await tenantByCode(em, body.tenant_code);
  if (!tenant.authProviders.includes('password')) {
    throw new AppError('provider_not_allowed', 'This tenant does not accept passwords');
  }
  const scope = { address: body.email, tenantId: tenant.id, purpose: 'password_reset' as const };
  const answer = await services.otp.send({
    channel: 'email',
    scope,
    accepted: true,
    exposeCode: services.exposeOtpCodes,
    issue: () =>
      services.otp.issueAudited(em, scope, (tx, challengeId) =>
        recordAudit(tx, services.clock, {
          action: 'auth.password.reset_requested',
          actor: { type: 'anonymous' },
          tenantId: tenant.id,
          target: { type: 'otp_challenge', id: challengeId },
          ...client,
          details: { email: body.email },
        }),
      ),
    deliver: (code) =>
      services.mail.send(passwordResetMessage({ to: body.email, code, tenant, ttlSeconds: OTP_TTL_SECONDS })),
    onDeliveryFailure: (error) => request.log.error({ err: error }, 'password reset: mail delivery failed'),
  });
  return { status: 200, body: answer };
};
