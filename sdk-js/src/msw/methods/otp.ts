import {
  OTP_TTL_SECONDS,
  type OtpPurpose,
  type OtpRefusal,
  type OtpRefusalReason,
  OtpService,
  webCryptoRandom,
} from '@enforcer/core';
import { MockError } from '../problem';
import type { MockStore } from '../store';

export { OTP_TTL_SECONDS };

/** Each mock's OtpService (the server's rules, from @enforcer/core) over its memory store and clock. */
const services = new WeakMap<MockStore, OtpService>();

function otpService(store: MockStore): OtpService {
  let service = services.get(store);
  if (!service) {
    service = new OtpService({
      store: store.otpChallenges,
      clock: { now: () => new Date(store.now()) },
      random: webCryptoRandom,
      codeKey: webCryptoRandom.bytes(32),
    });
    services.set(store, service);
  }
  return service;
}

/** The core's refusal as the mock's problem (`otp_attempts_exceeded` carries `Retry-After`). */
const toMockError = (refusal: OtpRefusal) =>
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
  const check = await otpService(store).verify(
    { address: scope.email, tenantId: scope.tenantId, purpose: scope.purpose },
    code,
  );
  return check.ok ? { ok: true } : { ok: false, reason: check.reason, error: toMockError(check) };
}

/**
 * A new code (the core's rules: wrong tries carry over, a burnt scope is refused until it expires). The
 * code is also kept in `store.otps`, the captured codes `mock.lastOtp` reads.
 */
export async function issueOtp(
  store: MockStore,
  email: string,
  tenantId: string | null,
  purpose: OtpPurpose = tenantId ? 'login' : 'verify_email',
): Promise<{ code: string; expiresAt: number }> {
  const issued = await otpService(store).issue({ address: email, tenantId, purpose });
  if (!issued.ok) throw toMockError(issued);
  const row = {
    purpose,
    email,
    tenantId,
    code: issued.value.code,
    expiresAt: issued.value.expiresAt.getTime(),
  };
  store.otps.set(`${purpose}|${email}|${tenantId ?? ''}`, row);
  return row;
}
