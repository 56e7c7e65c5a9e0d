import type { LoginBody } from '@enforcer/contract';
import {
  emailOtpSignIn,
  type LoginProvider,
  phoneOtpSignIn,
  type RegistrationMethods,
  type SignInMethod,
  type SignInMethods,
} from '@enforcer/core';
import type { MockContext } from '../context';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import type { MockTokens } from '../tokens';
import { verifyGoogleIdToken } from './google';
import { otpService } from './otp';
import { verifyPasskeyAssertion } from './passkey';
import { assertStrongPassword } from './password-policy';
import { verifyPrivyToken } from './privy';
import { AMR, type Authentication, hashPassword, verifyPassword } from './sign-in';
import { verifySiwe } from './siwe';

const wrongPassword = () => new MockError('invalid_credentials', 'The email or the password is wrong');

/** The mock's own proofs of the methods not moved into the core yet; they change MockStore rows only. */
async function authenticate(
  ctx: Pick<MockContext, 'store' | 'tokens'>,
  tenant: TenantRow,
  body: Exclude<LoginBody, { provider: 'email_otp' | 'phone_otp' }>,
): Promise<Authentication> {
  const { store } = ctx;
  switch (body.provider) {
    case 'password': {
      const person = store.personByEmail(body.email);
      const hash = person ? store.passwords.get(person.id) : undefined;
      if (!hash) {
        return { ok: false, error: wrongPassword(), reason: person ? 'no_password' : 'unknown_account' };
      }
      if (!(await verifyPassword(hash, body.password))) {
        return { ok: false, error: wrongPassword(), reason: 'wrong_password' };
      }
      return { ok: true, identity: { email: body.email, emailVerified: false } };
    }
    case 'magic_link': {
      const row = store.magicLinks.get(body.token);
      const now = store.now();
      if (!row || row.tenantId !== tenant.id || row.usedAt !== null || row.expiresAt <= now) {
        const reason =
          !row || row.tenantId !== tenant.id
            ? 'invalid_token'
            : row.usedAt !== null
              ? 'used_token'
              : 'expired_token';
        return {
          ok: false,
          reason,
          error: new MockError('magic_link_invalid', 'This sign-in link is invalid, expired or already used'),
        };
      }
      row.usedAt = now;
      return { ok: true, identity: { email: row.email, emailVerified: true } };
    }
    case 'google':
      return verifyGoogleIdToken(ctx as MockContext, tenant, body.token, body.nonce);
    case 'siwe':
      return verifySiwe(store, tenant, body, ctx.tokens.settings.clockTolerance);
    case 'privy':
      return verifyPrivyToken(store, tenant, body.token, ctx.tokens.settings.clockTolerance);
    case 'passkey':
      return verifyPasskeyAssertion(store, tenant, body);
  }
}

/**
 * Transitional: a mock proof as a core `SignInMethod`, for the core's login flow, until the method is the
 * core's. It runs inside the login's unit of work, so it must not open one (units of work never nest).
 */
const adapted = <P extends Exclude<LoginProvider, 'email_otp' | 'phone_otp'>>(
  ctx: Pick<MockContext, 'store' | 'tokens'>,
  id: P,
): SignInMethod<P> => ({
  id,
  amr: AMR[id] ?? [],
  async authenticate({ tenant }, body) {
    const row = ctx.store.tenants.get(tenant.id)!;
    const auth = await authenticate(ctx, row, body as never);
    if (auth.ok) return { ok: true, identity: auth.identity };
    const { error, reason } = auth;
    return { ok: false, code: error.code, detail: error.message, reason, cause: error };
  },
});

/**
 * The sign-in methods of the mock's login flow (the core's): email and phone codes are the core's methods
 * over the mock's code store, the others the mock's proofs adapted.
 */
export function mockSignInMethods(store: MockStore, tokens: MockTokens): SignInMethods {
  const ctx = { store, tokens };
  const codes = { otp: otpService(store) };
  return {
    email_otp: emailOtpSignIn(codes),
    phone_otp: phoneOtpSignIn(codes),
    password: adapted(ctx, 'password'),
    magic_link: adapted(ctx, 'magic_link'),
    google: adapted(ctx, 'google'),
    siwe: adapted(ctx, 'siwe'),
    privy: adapted(ctx, 'privy'),
    passkey: adapted(ctx, 'passkey'),
  };
}

/**
 * The registrations of the mock's `POST /auth/register` (the core's): `email_otp` is the core's; a
 * password is set for a NEW person only (a known email changes nothing: the same answer).
 */
export function mockRegistrationMethods(store: MockStore): RegistrationMethods {
  return {
    email_otp: emailOtpSignIn({ otp: otpService(store) }),
    password: {
      id: 'password',
      async register(_ctx, body) {
        assertStrongPassword(body.password, 'body.password', { email: body.email });
        const hash = await hashPassword(body.password);
        if (!store.personByEmail(body.email)) {
          store.passwords.set(store.ensurePerson(body.email, false).id, hash);
        }
        return { email: body.email, emailVerified: false };
      },
    },
  };
}
