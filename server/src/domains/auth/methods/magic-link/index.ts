import { AppError } from '../../../../lib/errors.js';
import type { SignInMethod } from '../method.js';

/**
 * `magic_link`: the token of a mailed link (`POST /auth/magic-link/request`), sent by the tenant's sign-in
 * page to `POST /auth/login` with the tenant code. Proves control of the email, like an email code.
 * Unknown, used, expired, or another tenant's: one answer, `401 magic_link_invalid`.
 */
export const magicLinkMethod = {
  id: 'magic_link',
  amr: ['otp'],
  async authenticate(ctx, body) {
    const check = await ctx.services.magicLinks.consume(ctx.em, body.token, ctx.tenant.id);
    if (!check.ok) {
      return {
        ok: false,
        error: new AppError('magic_link_invalid', 'This sign-in link is invalid, expired or already used'),
        reason: check.reason,
      };
    }
    return { ok: true, identity: { email: check.email, emailVerified: true } };
  },
} satisfies SignInMethod<'magic_link'>;
