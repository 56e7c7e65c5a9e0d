import type { OtpRequestResponse } from '@enforcer/contract';
import {
  type Clock,
  type CodeChannel,
  codePurpose,
  type OtpPurpose,
  type OtpRefusalReason,
  OtpService,
  type Refusal,
  sendCode,
  webCryptoRandom,
} from '@enforcer/core';
import { MockError } from '../problem';
import type { MockStore } from '../store';

/** The mock's clock as the core's (a Date). */
const clockOf = (store: MockStore): Clock => ({ now: () => new Date(store.now()) });

/** Each mock's OtpService (the server's rules, from @enforcer/core) over its memory store and clock. */
const services = new WeakMap<MockStore, OtpService>();

export function otpServiceOf(store: MockStore): OtpService {
  let service = services.get(store);
  if (!service) {
    service = new OtpService({
      store: store.otpChallenges,
      clock: clockOf(store),
      random: webCryptoRandom,
      codeKey: webCryptoRandom.bytes(32),
    });
    services.set(store, service);
  }
  return service;
}

/** The core's refusal as the mock's problem (`otp_attempts_exceeded` carries `Retry-After`). */
const toMockError = (refusal: Refusal & { retryAfterSeconds?: number }) =>
  new MockError(
    refusal.code,
    refusal.detail,
    refusal.retryAfterSeconds === undefined
      ? {}
      : { headers: { 'retry-after': String(refusal.retryAfterSeconds) } },
  );

/**
 * Checks and spends a one-time code for `email` (or a phone number) scoped to a tenant (or none: a code
 * that only proves the address) and a purpose, by the core's OtpService as the server does. The reason
 * tells the throttle whether a guess was made.
 */
export async function checkOtp(
  store: MockStore,
  scope: { purpose: OtpPurpose; email: string; tenantId: string | null },
  code: string,
): Promise<{ ok: true } | { ok: false; reason: OtpRefusalReason; error: MockError }> {
  const check = await otpServiceOf(store).verify(
    { address: scope.email, tenantId: scope.tenantId, purpose: scope.purpose },
    code,
  );
  return check.ok ? { ok: true } : { ok: false, reason: check.reason, error: toMockError(check) };
}

/** A new code (the core's rules); it is also kept in `store.otps`, the captured codes `mock.lastOtp` reads. */
async function issueCaptured(
  store: MockStore,
  scope: { address: string; tenantId: string | null; purpose: OtpPurpose },
) {
  const issued = await otpServiceOf(store).issue(scope);
  if (issued.ok) {
    const { address: email, tenantId, purpose } = scope;
    const row = {
      purpose,
      email,
      tenantId,
      code: issued.value.code,
      expiresAt: issued.value.expiresAt.getTime(),
    };
    store.otps.set(`${purpose}|${email}|${tenantId ?? ''}`, row);
  }
  return issued;
}

/** `mock.seed.otp`: a code for `email`, as if requested (a burnt scope throws). */
export async function issueOtp(store: MockStore, email: string, tenantId: string | null): Promise<string> {
  const issued = await issueCaptured(store, {
    address: email,
    tenantId,
    purpose: codePurpose('email', tenantId !== null),
  });
  if (!issued.ok) throw toMockError(issued);
  return issued.value.code;
}

/**
 * Sends a code as the server does (the core's `sendCode`: the same answer for everyone, nothing issued for
 * a tenant that does not take the channel's method); nothing is delivered, the code is captured.
 */
export async function sendOtp<C extends CodeChannel>(
  store: MockStore,
  input: {
    channel: C;
    address: string;
    tenantId: string | null;
    purpose?: OtpPurpose;
    accepted: boolean;
    devMode: boolean;
  },
): Promise<OtpRequestResponse & { channel: C }> {
  const sent = await sendCode(otpServiceOf(store), clockOf(store), {
    channel: input.channel,
    scope: {
      address: input.address,
      tenantId: input.tenantId,
      purpose: input.purpose ?? codePurpose(input.channel, input.tenantId !== null),
    },
    accepted: input.accepted,
    exposeCode: input.devMode,
    issue: (scope) => issueCaptured(store, scope),
  });
  if (!sent.ok) throw toMockError(sent);
  return sent.value;
}
