import type { RegistrationMethod, SignInMethod } from '../method.js';

/**
 * `email_otp`: a six-digit code mailed by `POST /auth/otp/request` (with the tenant code), exchanged at
 * `POST /auth/login`. Proves control of the email. Registration only names the email: the person is
 * recorded unverified and proves it at their first login.
 */
export const emailOtpMethod = {
  id: 'email_otp',
  amr: ['otp'],
  async authenticate(ctx, body) {
    const check = await ctx.services.otp.verify(
      ctx.em,
      { email: body.email, tenantId: ctx.tenant.id, purpose: 'login' },
      body.otp,
    );
    if (!check.ok) return { ok: false, error: check.error, reason: check.reason, email: body.email };
    return { ok: true, identity: { email: body.email, emailVerified: true } };
  },
  async register(_ctx, body) {
    return { email: body.email, emailVerified: false };
  },
} satisfies SignInMethod<'email_otp'> & RegistrationMethod<'email_otp'>;
