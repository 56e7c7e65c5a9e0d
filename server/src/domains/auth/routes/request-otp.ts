import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { addSeconds } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import type { ITenant } from '../../tenants/entities.js';
import { authContext, tenantByCode } from '../context.js';
import { otpMessage } from '../mail/messages.js';
import { OTP_TTL_SECONDS, type OtpScope } from '../otp.js';
import { requestPhoneOtp } from '../strategies/phone-otp/request-code.js';

/**
 * `POST /auth/otp/request`: mails a six-digit code. With a tenant code the code signs in to that tenant
 * (`POST /auth/login`); without one it only proves the email (`POST /tenants/self-serve`).
 *
 * The answer never depends on whether the email belongs to anyone: a code is issued and mailed for every
 * well-formed email (a new person may sign up with it), so status, body and work done are the same.
 * Development and test servers add the code to the answer; production never does.
 */
export const requestOtp: AppRouteImplementation<typeof contract.auth.requestOtp> = async ({
  body,
  request,
}) => {
  if ('phone' in body) return requestPhoneOtp(body, request);
  const { services, kit, em, client } = authContext(request);
  const tenant: ITenant | null = body.tenant_code ? await tenantByCode(em, body.tenant_code) : null;
  const scope: OtpScope = {
    email: body.email,
    tenantId: tenant?.id ?? null,
    purpose: tenant ? 'login' : 'verify_email',
  };

  // A tenant that does not take email codes: the same answer, but nothing is issued or sent (a code
  // could never be used). The contract has no 403 here; tenants' accepted methods are public anyway.
  if (tenant && !tenant.authProviders.includes('email_otp')) {
    return {
      status: 200,
      body: {
        sent: true,
        channel: 'email',
        expires_at: addSeconds(services.clock.now(), OTP_TTL_SECONDS).toISOString(),
      },
    };
  }

  const issued = await em.transactional(async (tx) => {
    const result = await kit.otp.issue(tx, scope);
    recordAudit(tx, services.clock, {
      action: 'auth.otp.requested',
      actor: { type: 'anonymous' },
      tenantId: scope.tenantId,
      target: { type: 'otp_challenge', id: result.id },
      ...client,
      details: { channel: 'email', purpose: scope.purpose, email: scope.email },
    });
    return result;
  });

  try {
    await kit.mail.send(
      otpMessage({ to: body.email, code: issued.code, tenant, ttlSeconds: OTP_TTL_SECONDS }),
    );
  } catch (error) {
    request.log.error({ err: error }, 'one-time code: mail delivery failed');
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
