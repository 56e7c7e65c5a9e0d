import { otpCode } from '../crypto';
import { MockError } from '../problem';
import type { MockStore } from '../store';

export const OTP_TTL_SECONDS = 600;
export const OTP_MAX_ATTEMPTS = 5;

const otpKey = (purpose: string, email: string, tenantId: string | null) =>
  `${purpose}|${email}|${tenantId ?? ''}`;

const attemptsExceeded = (store: MockStore, expiresAt: number) =>
  new MockError(
    'otp_attempts_exceeded',
    'Too many wrong codes: this code no longer works. Request a new one after Retry-After seconds.',
    { headers: { 'retry-after': String(Math.max(1, Math.ceil((expiresAt - store.now()) / 1000))) } },
  );

const liveOtp = (store: MockStore, purpose: string, email: string, tenantId: string | null) => {
  const row = store.otps.get(otpKey(purpose, email, tenantId));
  return row && !row.used && row.expiresAt > store.now() ? row : undefined;
};

const invalidOtp = () => new MockError('invalid_otp', 'The code is wrong, expired or already used');

/**
 * Checks and spends a one-time code for `email` (or a phone number) scoped to a tenant (or none for
 * self-serve) and a purpose, as the server's otp.ts: every failure is the same `invalid_otp`; the fifth
 * wrong code burns it (`otp_attempts_exceeded`). The reason tells the throttle whether a guess was made.
 */
export function checkOtp(
  store: MockStore,
  scope: { purpose: string; email: string; tenantId: string | null },
  code: string,
): { ok: true } | { ok: false; reason: string; error: MockError } {
  const row = liveOtp(store, scope.purpose, scope.email, scope.tenantId);
  if (!row) return { ok: false, reason: 'no_live_code', error: invalidOtp() };
  if (row.attempts >= OTP_MAX_ATTEMPTS) {
    return { ok: false, reason: 'attempts_exceeded', error: attemptsExceeded(store, row.expiresAt) };
  }
  if (row.code !== code) {
    row.attempts += 1;
    if (row.attempts >= OTP_MAX_ATTEMPTS) {
      return { ok: false, reason: 'wrong_code_burnt', error: attemptsExceeded(store, row.expiresAt) };
    }
    return { ok: false, reason: 'wrong_code', error: invalidOtp() };
  }
  row.used = true;
  return { ok: true };
}

/** `checkOtp` for an email sign-in code, throwing its refusal. */
export function consumeOtp(store: MockStore, email: string, tenantId: string | null, code: string): void {
  const check = checkOtp(store, { purpose: 'login', email, tenantId }, code);
  if (!check.ok) throw check.error;
}

/** A new code; wrong tries carry over from the live one, and a burnt scope is refused until it expires. */
export function issueOtp(store: MockStore, email: string, tenantId: string | null, purpose = 'login') {
  const live = liveOtp(store, purpose, email, tenantId);
  if (live && live.attempts >= OTP_MAX_ATTEMPTS) throw attemptsExceeded(store, live.expiresAt);
  const row = {
    purpose,
    email,
    tenantId,
    code: otpCode(),
    expiresAt: store.now() + OTP_TTL_SECONDS * 1000,
    attempts: live?.attempts ?? 0,
    used: false,
  };
  store.otps.set(otpKey(purpose, email, tenantId), row);
  return row;
}
