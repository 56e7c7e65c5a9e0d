import { codePurpose, type IssuedOtp, type OtpScope, type Refusal } from '@enforcer/core';
import { AppError } from '../problem';
import type { MockStore } from '../store';

/** The core's refusal as the mock's problem (`otp_attempts_exceeded` carries `Retry-After`). */
const toAppError = (refusal: Refusal & { retryAfterSeconds?: number }) =>
  new AppError(
    refusal.code,
    refusal.detail,
    refusal.retryAfterSeconds === undefined
      ? {}
      : { headers: { 'retry-after': String(refusal.retryAfterSeconds) } },
  );

/** Keeps an issued code in `store.otps`, the captured codes `mock.lastOtp` reads. */
export function captureOtp(store: MockStore, scope: OtpScope, issued: IssuedOtp): void {
  const { address: email, tenantId, purpose } = scope;
  const row = { purpose, email, tenantId, code: issued.code, expiresAt: issued.expiresAt.getTime() };
  store.otps.set(`${purpose}|${email}|${tenantId ?? ''}`, row);
}

/** A new code (the core's rules), captured. */
async function issueCaptured(store: MockStore, scope: OtpScope) {
  const issued = await store.otp.issue(scope);
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
  if (!issued.ok) throw toAppError(issued);
  return issued.value.code;
}
