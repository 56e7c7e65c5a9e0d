import { type OtpService, otpRefusal } from '../codes/otp.js';
import type { OtpPurpose } from '../codes/ports.js';
import type { Repositories } from '../store.js';
import type { Authentication, RegistrationMethod, SignInMethod } from './method.js';
import type { ProofRefusal } from './result.js';

/** What the one-time-code methods are built with (they check codes in the login's `repos.codes`). */
export interface OtpMethodDeps {
  otp: OtpService;
}

async function checkCode(
  deps: OtpMethodDeps,
  repos: Repositories,
  scope: { address: string; tenantId: string; purpose: OtpPurpose },
  code: string,
): Promise<ProofRefusal | null> {
  const check = await deps.otp.verify(scope, code, repos.codes);
  return check.ok ? null : otpRefusal(check);
}

/**
 * `email_otp`: a six-digit code mailed by `POST /auth/otp/request` (with the tenant code), exchanged at
 * `POST /auth/login`. Proves control of the email. Registration only names the email: the person is
 * recorded unverified and proves it at their first login.
 */
export const emailOtpSignIn = (
  deps: OtpMethodDeps,
): SignInMethod<'email_otp'> & RegistrationMethod<'email_otp'> => ({
  id: 'email_otp',
  amr: ['otp'],
  async authenticate({ repos, tenant }, body): Promise<Authentication> {
    const scope = { address: body.email, tenantId: tenant.id, purpose: 'login' as const };
    const refused = await checkCode(deps, repos, scope, body.otp);
    return refused ?? { ok: true, identity: { email: body.email, emailVerified: true } };
  },
  async register(_ctx, body) {
    return { email: body.email, emailVerified: false };
  },
});

/**
 * `phone_otp`: a six-digit code sent by SMS (`POST /auth/otp/request` with `phone` and the tenant code),
 * exchanged at `POST /auth/login`; bound to the number, the tenant and the purpose `phone_login`. The
 * person is found by the E.164 number (a linked identity).
 */
export const phoneOtpSignIn = (deps: OtpMethodDeps): SignInMethod<'phone_otp'> => ({
  id: 'phone_otp',
  amr: ['sms'],
  async authenticate({ repos, tenant }, body): Promise<Authentication> {
    const scope = { address: body.phone, tenantId: tenant.id, purpose: 'phone_login' as const };
    const refused = await checkCode(deps, repos, scope, body.otp);
    return refused ?? { ok: true, identity: { provider: 'phone_otp', subject: body.phone } };
  },
});
