import { codePurpose, type IssuedOtp, type OtpScope, otpRefusal, refusalError } from '@enforcer/core';
import type { MockStore } from '../store';

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
  if (!issued.ok) throw refusalError(otpRefusal(issued));
  return issued.value.code;
}
