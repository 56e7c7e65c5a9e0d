import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import type { FastifyRequest } from 'fastify';
import { addSeconds } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import type { ITenant } from '../tenants/entities.js';
import { authContext, tenantByCode } from './context.js';
import { OTP_TTL_SECONDS, type OtpPurpose } from './otp.js';

export type RequestOtpResult = Awaited<ReturnType<AppRouteImplementation<typeof contract.auth.requestOtp>>>;

/** What differs between sending a code by email and by SMS; the flow around it is the same. */
export interface CodeChannel {
  channel: 'email' | 'sms';
  /** The provider a tenant must accept for a tenant-scoped code (`email_otp`, `phone_otp`). */
  provider: 'email_otp' | 'phone_otp';
  /** Where the code goes: the email address or the E.164 number (also what the challenge is bound to). */
  address: string;
  /** Purpose with a tenant code (signs in) and without one (proves the address). */
  purposes: { login: OtpPurpose; verify: OtpPurpose };
  /** Audit details naming the address (`{ email }` or `{ phone }`). */
  auditDetails: Record<string, string>;
  deliver(code: string, tenant: ITenant | null): Promise<void>;
}

/**
 * `POST /auth/otp/request`, for either channel. The answer never depends on whether the
 * address belongs to anyone: a code is issued and sent for every well-formed address, so
 * status, body and work done are the same. A tenant that does not accept the channel's
 * method gets the same answer and nothing is sent (a code could never be used). A delivery
 * failure is `503 unavailable`. Development and test servers add the code to the answer.
 */
export async function sendCode(
  request: FastifyRequest,
  tenantCode: string | undefined | null,
  channel: CodeChannel,
): Promise<RequestOtpResult> {
  const { services, kit, em, client } = authContext(request);
  const tenant: ITenant | null = tenantCode ? await tenantByCode(em, tenantCode) : null;
  const scope = {
    email: channel.address,
    tenantId: tenant?.id ?? null,
    purpose: tenant ? channel.purposes.login : channel.purposes.verify,
  };

  if (tenant && !tenant.authProviders.includes(channel.provider)) {
    return {
      status: 200,
      body: {
        sent: true,
        channel: channel.channel,
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
      details: { channel: channel.channel, purpose: scope.purpose, ...channel.auditDetails },
    });
    return result;
  });

  try {
    await channel.deliver(issued.code, tenant);
  } catch (error) {
    request.log.error({ err: error }, `one-time code: ${channel.channel} delivery failed`);
    throw new AppError('unavailable', 'The code could not be sent; try again shortly');
  }

  return {
    status: 200,
    body: {
      sent: true,
      channel: channel.channel,
      expires_at: issued.expiresAt.toISOString(),
      ...(kit.exposeOtpCodes ? { code: issued.code } : {}),
    },
  };
}
