import type { SignInMethod } from '../methods/method.js';
import { refuseProof } from '../methods/result.js';
import { consumeMagicLink, type MagicLinkDeps } from './links.js';

/**
 * `magic_link`: the token of a mailed link (`POST /auth/magic-link/request`), sent by the tenant's sign-in
 * page to `POST /auth/login` with the tenant code. Proves control of the email, like an email code.
 * Unknown, used, expired, or another tenant's: one answer, `401 magic_link_invalid`.
 */
export function magicLinkSignIn(deps: Pick<MagicLinkDeps, 'clock' | 'hashing'>): SignInMethod<'magic_link'> {
  return {
    id: 'magic_link',
    amr: ['otp'],
    async authenticate({ repos, tenant }, body) {
      const check = await consumeMagicLink(repos, deps, body.token, tenant.id);
      if (!check.ok) {
        return refuseProof(
          'magic_link_invalid',
          check.reason,
          'This sign-in link is invalid, expired or already used',
        );
      }
      return { ok: true, identity: { email: check.email, emailVerified: true } };
    },
  };
}
