import {
  type Clock,
  codePurpose,
  type IssuedOtp,
  type OtpPurpose,
  type OtpRefusalReason,
  type OtpScope,
  OtpService,
  type Refusal,
  webCryptoRandom,
} from '@enforcer/core';
import { MockError } from '../problem';
import type { MockStore } from '../store';

/** The mock's clock as the core's (a Date). */
const clockOf = (store: MockStore): Clock => ({ now: () => new Date(store.now()) });

/** Each mock's OtpService (the server's rules, from @enforcer/core) over its memory store and clock. */
const services = new WeakMap<MockStore, OtpService>();

export function otpService(store: MockStore): OtpService {
  let service = services.get(store);
  if (!service) {
    service = new OtpService({
      store: store.db.codes,
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
  const check = await otpService(store).verify(
    { address: scope.email, tenantId: scope.tenantId, purpose: scope.purpose },
    code,
  );
  return check.ok ? { ok: true } : { ok: false, reason: check.reason, error: toMockError(check) };
}

/** Keeps an issued code in `store.otps`, the captured codes `mock.lastOtp` reads. */
export function captureOtp(store: MockStore, scope: OtpScope, issued: IssuedOtp): void {
  const { address: email, tenantId, purpose } = scope;
  const row = { purpose, email, tenantId, code: issued.code, expiresAt: issued.expiresAt.getTime() };
  store.otps.set(`${purpose}|${email}|${tenantId ?? ''}`, row);
}

/** A new code (the core's rules), captured. */
async function issueCaptured(store: MockStore, scope: OtpScope) {
  const issued = await otpService(store).issue(scope);
  if (issued.ok) captureOtp(store, scope, issued.value);
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
