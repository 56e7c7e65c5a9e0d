import type { OtpRequestResponse } from '@enforcer/contract';
import { addSeconds, type Clock } from '../platform.js';
import { type Result, refuse, success } from '../result.js';
import { OTP_TTL_SECONDS, type OtpIssue, type OtpService } from './otp.js';
import type { OtpPurpose, OtpScope } from './ports.js';

export type CodeChannel = 'email' | 'sms';

/** What a requested code is for: with a tenant it signs in to it; without one it only proves the address. */
export const codePurpose = (channel: CodeChannel, withTenant: boolean): OtpPurpose =>
  channel === 'email' ? (withTenant ? 'login' : 'verify_email') : withTenant ? 'phone_login' : 'verify_phone';

export interface SendCodeInput<C extends CodeChannel = CodeChannel> {
  channel: C;
  /** The address the code goes to, and the tenant and purpose it is bound to. */
  scope: OtpScope;
  /** False when the tenant does not take this channel's method: the same answer, nothing issued or sent. */
  accepted: boolean;
  /** Development and test: the code in the answer; production never. */
  exposeCode: boolean;
  /** Issues the code (default: `otp.issue`); the server issues and audits in one transaction. */
  issue?: (scope: OtpScope) => Promise<OtpIssue>;
  /** Sends the code by mail or SMS (the mock sends nothing). A failure is `503 unavailable`. */
  deliver?: (code: string) => Promise<void>;
  /** Told of a delivery failure (the server logs it); the caller still gets `unavailable`. */
  onDeliveryFailure?: (error: unknown) => void;
}

/**
 * Sending a one-time code, for either channel (`POST /auth/otp/request`, `POST /auth/password/reset/request`).
 * The answer never depends on whether the address belongs to anyone: a code is issued and sent for every
 * well-formed address, so status, body and work done are the same. A tenant that does not accept the
 * channel's method gets the same answer and nothing is sent (a code could never be used). Refusals:
 * `otp_attempts_exceeded` (a burnt scope) and `unavailable` (delivery failed).
 */
export async function sendCode<C extends CodeChannel>(
  otp: OtpService,
  clock: Clock,
  input: SendCodeInput<C>,
): Promise<Result<OtpRequestResponse & { channel: C }>> {
  if (!input.accepted) {
    return success({
      sent: true,
      channel: input.channel,
      expires_at: addSeconds(clock.now(), OTP_TTL_SECONDS).toISOString(),
    });
  }
  const issued = await (input.issue ?? ((scope) => otp.issue(scope)))(input.scope);
  if (!issued.ok) return issued;
  try {
    await input.deliver?.(issued.value.code);
  } catch (error) {
    input.onDeliveryFailure?.(error);
    return refuse('unavailable', 'The code could not be sent; try again shortly');
  }
  return success({
    sent: true,
    channel: input.channel,
    expires_at: issued.value.expiresAt.toISOString(),
    ...(input.exposeCode ? { code: issued.value.code } : {}),
  });
}
