import type { LoginBody } from '@enforcer/contract';
import {
  emailOtpSignIn,
  type LoginProvider,
  magicLinkSignIn,
  phoneOtpSignIn,
  type RegistrationMethods,
  type SignInMethod,
  type SignInMethods,
  webCryptoHashing,
} from '@enforcer/core';
import type { MockContext } from '../context';
import type { MockStore, TenantRow } from '../store';
import type { MockTokens } from '../tokens';
import { verifyGoogleIdToken } from './google';
import { otpService } from './otp';
import { verifyPrivyToken } from './privy';
import { AMR, type Authentication, passwordMethod } from './sign-in';
import { verifySiwe } from './siwe';

/** The methods whose proofs are still the mock's own (the others are the core's). */
type MockProvider = Exclude<LoginProvider, 'email_otp' | 'phone_otp' | 'password' | 'magic_link' | 'passkey'>;

/** The mock's own proofs of the methods not moved into the core yet; they change MockStore rows only. */
async function authenticate(
  ctx: Pick<MockContext, 'store' | 'tokens'>,
  tenant: TenantRow,
  body: Extract<LoginBody, { provider: MockProvider }>,
): Promise<Authentication> {
  const { store } = ctx;
  switch (body.provider) {
    case 'google':
      return verifyGoogleIdToken(ctx as MockContext, tenant, body.token, body.nonce);
    case 'siwe':
      return verifySiwe(store, tenant, body, ctx.tokens.settings.clockTolerance);
    case 'privy':
      return verifyPrivyToken(store, tenant, body.token, ctx.tokens.settings.clockTolerance);
  }
}

/**
 * Transitional: a mock proof as a core `SignInMethod`, for the core's login flow, until the method is the
 * core's. It runs inside the login's unit of work, so it must not open one (units of work never nest).
 */
const adapted = <P extends MockProvider>(
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
 * The sign-in methods of the mock's login flow (the core's): codes, passwords, magic links and passkeys
 * are the core's methods over the mock's memory database, the others the mock's proofs adapted.
 */
export function mockSignInMethods(store: MockStore, tokens: MockTokens): SignInMethods {
  const ctx = { store, tokens };
  const codes = { otp: otpService(store) };
  return {
    email_otp: emailOtpSignIn(codes),
    phone_otp: phoneOtpSignIn(codes),
    password: passwordMethod,
    magic_link: magicLinkSignIn({ clock: store.db, hashing: webCryptoHashing }),
    google: adapted(ctx, 'google'),
    siwe: adapted(ctx, 'siwe'),
    privy: adapted(ctx, 'privy'),
    passkey: store.passkeySignIn,
  };
}

/** The registrations of the mock's `POST /auth/register` (the core's): both methods are the core's. */
export function mockRegistrationMethods(store: MockStore): RegistrationMethods {
  return {
    email_otp: emailOtpSignIn({ otp: otpService(store) }),
    password: passwordMethod,
  };
}
