import type { contract } from '@enforcer/contract';
import { type CodeChannel as Channel, codePurpose } from '@enforcer/core';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import type { FastifyRequest } from 'fastify';
import type { ITenant } from '../../entities/tenants.js';
import { recordAudit } from '../audit/record-audit.js';
import { authContext, tenantByCode } from './context.js';

export type RequestOtpResult = Awaited<ReturnType<AppRouteImplementation<typeof contract.auth.requestOtp>>>;

/** What differs between sending a code by email and by SMS; the flow around it is the core's `sendCode`. */
export interface CodeChannel {
  channel: Channel;
  /** The provider a tenant must accept for a tenant-scoped code (`email_otp`, `phone_otp`). */
  provider: 'email_otp' | 'phone_otp';
  /** Where the code goes: the email address or the E.164 number (also what the challenge is bound to). */
  address: string;
  /** Audit details naming the address (`{ email }` or `{ phone }`). */
  auditDetails: Record<string, string>;
  deliver(code: string, tenant: ITenant | null): Promise<void>;
}

/**
 * `POST /auth/otp/request`, for either channel: the core's `sendCode` (the same answer whether or not the
 * address belongs to anyone; nothing sent for a tenant that does not accept the channel's method; a
 * delivery failure is `503 unavailable`), with the server's transaction, audit, delivery and logging.
 * Development and test servers add the code to the answer.
 */
export async function sendCode(
  request: FastifyRequest,
  tenantCode: string | undefined | null,
  channel: CodeChannel,
): Promise<RequestOtpResult> {
  const { services, em, client } = authContext(request);
  const tenant: ITenant | null = tenantCode ? await tenantByCode(em, tenantCode) : null;
  const scope = {
    address: channel.address,
    tenantId: tenant?.id ?? null,
    purpose: codePurpose(channel.channel, tenant !== null),
  };
  const body = await services.otp.send({
    channel: channel.channel,
    scope,
    accepted: !tenant || tenant.authProviders.includes(channel.provider),
    exposeCode: services.exposeOtpCodes,
    issue: () =>
      services.otp.issueAudited(em, scope, (tx, challengeId) =>
        recordAudit(tx, services.clock, {
          action: 'auth.otp.requested',
          actor: { type: 'anonymous' },
          tenantId: scope.tenantId,
          target: { type: 'otp_challenge', id: challengeId },
          ...client,
          details: { channel: channel.channel, purpose: scope.purpose, ...channel.auditDetails },
        }),
      ),
    deliver: (code) => channel.deliver(code, tenant),
    onDeliveryFailure: (error) =>
      request.log.error({ err: error }, `one-time code: ${channel.channel} delivery failed`),
  });
  return { status: 200, body };
}
