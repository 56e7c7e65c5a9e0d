import type { contract, OtpRequestPhoneBody } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import type { FastifyRequest } from 'fastify';
import { addSeconds } from '../../../../lib/clock.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import type { ITenant } from '../../../tenants/entities.js';
import { authContext, tenantByCode } from '../../context.js';
import { methodKit } from '../../methods/kit.js';
import { OTP_TTL_SECONDS, type OtpScope } from '../../otp.js';

type RequestOtpResult = Awaited<ReturnType<AppRouteImplementation<typeof contract.auth.requestOtp>>>;

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
export async function requestPhoneOtp(
  body: OtpRequestPhoneBody,
  request: FastifyRequest,
): Promise<RequestOtpResult> {
  const { services, kit, em, client } = authContext(request);
  const methods = methodKit(services, request.server.log);
  const tenant: ITenant | null = body.tenant_code ? await tenantByCode(em, body.tenant_code) : null;
  const scope: OtpScope = {
    email: body.phone,
    tenantId: tenant?.id ?? null,
    purpose: tenant ? 'phone_login' : 'verify_phone',
  };

  if (tenant && !tenant.authProviders.includes('phone_otp')) {
    return {
      status: 200,
      body: {
        sent: true,
        channel: 'sms',
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
      details: { channel: 'sms', purpose: scope.purpose, phone: body.phone },
    });
    return result;
  });

  try {
    await methods.sms.send({ to: body.phone, text: smsText(issued.code, tenant, OTP_TTL_SECONDS) });
  } catch (error) {
    request.log.error({ err: error }, 'one-time code: SMS delivery failed');
    throw new AppError('unavailable', 'The code could not be sent; try again shortly');
  }

  return {
    status: 200,
    body: {
      sent: true,
      channel: 'sms',
      expires_at: issued.expiresAt.toISOString(),
      ...(kit.exposeOtpCodes ? { code: issued.code } : {}),
    },
  };
}
