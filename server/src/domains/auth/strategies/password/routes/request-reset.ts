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
  const { services, kit, em, client } = authContext(request);
  const tenant = await tenantByCode(em, body.tenant_code);
  if (!tenant.authProviders.includes('password')) {
    throw new AppError('provider_not_allowed', 'This tenant does not accept passwords');
  }
  const scope = { email: body.email, tenantId: tenant.id, purpose: 'password_reset' as const };
  const issued = await em.transactional(async (tx) => {
    const result = await kit.otp.issue(tx, scope);
    recordAudit(tx, services.clock, {
      action: 'auth.password.reset_requested',
      actor: { type: 'anonymous' },
      tenantId: tenant.id,
      target: { type: 'otp_challenge', id: result.id },
      ...client,
      details: { email: body.email },
    });
    return result;
  });
  try {
    await kit.mail.send(
      passwordResetMessage({ to: body.email, code: issued.code, tenant, ttlSeconds: OTP_TTL_SECONDS }),
    );
  } catch (error) {
    request.log.error({ err: error }, 'password reset: mail delivery failed');
    throw new AppError('unavailable', 'The code could not be sent; try again shortly');
  }
  return {
    status: 200,
    body: {
      sent: true,
      channel: 'email',
      expires_at: issued.expiresAt.toISOString(),
      ...(kit.exposeOtpCodes ? { code: issued.code } : {}),
    },
  };
};
