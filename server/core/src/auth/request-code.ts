import type { OtpRequestBody, OtpRequestResponse } from '@enforcer/contract';
import type { ClientInfo } from '../caller.js';
import { type IssuedOtp, OTP_TTL_SECONDS, type OtpService, otpRefusal } from '../codes/otp.js';
import type { OtpScope } from '../codes/ports.js';
import { type CodeChannel, codePurpose, sendCode } from '../codes/send-code.js';
import { assertSmsDestinationAllowed } from '../codes/sms-destinations.js';
import { refusalError } from '../errors.js';
import { type MessageOutboxDeps, queueMessage } from '../messaging/outbox.js';
import type { Clock } from '../platform.js';
import type { UnitOfWork } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { countSend, type SendLimits } from '../throttle/send-limits.js';
import { tenantByCode } from './login.js';

/** What `POST /auth/otp/request` needs besides storage: the code service and each side's delivery. */
export type CodeRequestDeps = CodeRequestOptions & { uow: UnitOfWork; clock: Clock };

/** `CodeRequestDeps` but the unit of work and the clock (the auth routes' `codes`). */
export type CodeRequestOptions = CodeRequestCommon & CodeDelivery;

interface CodeRequestCommon {
  otp: OtpService;
  /** Development and test: the code in the answer; production never. */
  exposeCodes: boolean;
  /** Told of a delivery failure (the server logs it). */
  onDeliveryFailure?(error: unknown, channel: CodeChannel): void;
  /** Told of every code issued, in its unit of work (the mock keeps them for `mock.lastOtp`). */
  onIssued?(scope: OtpScope, issued: IssuedOtp): void;
  /** Per destination and client (default `SEND_LIMITS`). */
  sendLimits?: SendLimits;
}

/** How a code leaves: through an outbox (the server), or sent at once (the mock). One of the two. */
type CodeDelivery =
  | {
      /**
       * The code's mail or text is queued in the unit of work that issues the code (with or without a
       * tenant) and delivered by the worker, with retries; the request never waits on the mail server or
       * the SMS gateway.
       */
      outbox: MessageOutboxDeps;
      deliver?: undefined;
    }
  | {
      outbox?: undefined;
      /** Sends the code by mail or SMS (the mock sends nothing). A failure is `503 unavailable`. */
      deliver(input: {
        channel: CodeChannel;
        to: string;
        code: string;
        tenant: TenantRecord | null;
      }): Promise<void>;
    };

/**
 * `POST /auth/otp/request`: mails a six-digit code (or texts one, with `phone`). With a tenant code the code
 * signs in to that tenant (`POST /auth/login`); without one it only proves the address. The core's
 * `sendCode` makes the answer the same whether or not the address belongs to anyone, and sends nothing for
 * a tenant that does not accept the channel's method. Each issued code is audited (`auth.otp.requested`)
 * and counted against the send limits (`countSend`: `429 rate_limited`) in the unit of work that issues it;
 * a text to a number outside the tenant's allowed calling codes is `403 sms_destination_not_allowed`.
 */
export async function requestCode(
  deps: CodeRequestDeps,
  body: OtpRequestBody,
  client: ClientInfo,
): Promise<OtpRequestResponse> {
  const tenant = body.tenant_code
    ? await deps.uow.read((repos) => tenantByCode(repos, body.tenant_code!))
    : null;
  const [channel, address, provider, details] =
    'phone' in body
      ? (['sms', body.phone, 'phone_otp', { phone: body.phone }] as const)
      : (['email', body.email, 'email_otp', { email: body.email }] as const);
  const scope = { address, tenantId: tenant?.id ?? null, purpose: codePurpose(channel, tenant !== null) };
  const { outbox } = deps;
  // A tenant's sign-in code, a code proving an address (no tenant yet), or a text.
  const kind = channel === 'sms' ? 'sms_otp_code' : tenant ? 'otp_code' : 'email_verification';
  const locale = 'locale' in body ? body.locale : undefined;
  const sent = await sendCode(deps.otp, deps.clock, {
    channel,
    scope,
    accepted: !tenant || tenant.authProviders.includes(provider),
    exposeCode: deps.exposeCodes,
    issue: (scope) =>
      deps.uow.transaction(async (repos) => {
        // Before counting: a refused destination spends nothing and sends nothing.
        if (channel === 'sms') assertSmsDestinationAllowed(tenant, address);
        await countSend(
          repos,
          deps.clock.now(),
          { channel, address, tenant, ip: client.ip },
          deps.sendLimits,
        );
        const issued = await deps.otp.issue(scope, repos.codes);
        if (!issued.ok) return issued;
        repos.audit.record({
          action: 'auth.otp.requested',
          actor: { type: 'anonymous' },
          tenantId: scope.tenantId,
          target: { type: 'otp_challenge', id: issued.value.id },
          ...client,
          details: { channel, purpose: scope.purpose, ...details },
        });
        if (outbox) {
          await queueMessage(repos, outbox, {
            tenant,
            kind,
            locale,
            to: address,
            variables: { code: issued.value.code, expires_minutes: String(Math.round(OTP_TTL_SECONDS / 60)) },
          });
        }
        deps.onIssued?.(scope, issued.value);
        return issued;
      }),
    deliver: async (code) => {
      if (outbox) outbox.onQueued?.();
      else await deps.deliver!({ channel, to: address, code, tenant });
    },
    onDeliveryFailure: (error) => deps.onDeliveryFailure?.(error, channel),
  });
  if (!sent.ok) throw refusalError(otpRefusal(sent));
  return sent.value;
}
