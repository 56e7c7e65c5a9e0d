import type { LoginBody } from '@enforcer/contract';
import {
  type LoginBodyOf,
  type LoginProvider,
  magicLinkSignIn,
  type SignInMethod,
  webCryptoHashing,
} from '@enforcer/core';
import type { MockContext } from '../context';
import { refusalError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { verifyGoogleIdToken } from './google';
import { checkOtp } from './otp';
import { verifyPasskeyAssertion } from './passkey';
import { verifyPrivyToken } from './privy';
import { unsupportedMethod } from './settings';
import { type Authentication, passwordMethod } from './sign-in';
import { verifySiwe } from './siwe';

/**
 * A core sign-in method in one unit of work of the mock's database (an adapter until the login flow is
 * the core's: it then runs the method in the login's own unit of work).
 */
async function viaCore<P extends LoginProvider>(
  store: MockStore,
  tenant: TenantRow,
  method: SignInMethod<P>,
  body: LoginBodyOf<P>,
): Promise<Authentication> {
  const result = await store.db.transaction(async (repos) => {
    const record = (await repos.tenants.find(tenant.id))!;
    return method.authenticate({ repos, tenant: record, client: { ip: null, userAgent: null } }, body);
  });
  return result.ok ? result : { ok: false, reason: result.reason, error: refusalError(result) };
}

/** The strategies of the server, each proving who the caller is and nothing else. */
export async function authenticate(
  ctx: MockContext,
  tenant: TenantRow,
  body: LoginBody,
): Promise<Authentication> {
  const { store } = ctx;
  switch (body.provider) {
    case 'email_otp': {
      const check = await checkOtp(
        store,
        { purpose: 'login', email: body.email, tenantId: tenant.id },
        body.otp,
      );
      return check.ok ? { ok: true, identity: { email: body.email, emailVerified: true } } : check;
    }
    case 'password':
      return viaCore(store, tenant, passwordMethod, body);
    case 'magic_link':
      return viaCore(store, tenant, magicLinkSignIn({ clock: store.db, hashing: webCryptoHashing }), body);
    case 'phone_otp': {
      const check = await checkOtp(
        store,
        { purpose: 'phone_login', email: body.phone, tenantId: tenant.id },
        body.otp,
      );
      return check.ok ? { ok: true, identity: { provider: 'phone_otp', subject: body.phone } } : check;
    }
    case 'google':
      return verifyGoogleIdToken(ctx, tenant, body.token, body.nonce);
    case 'siwe':
      return verifySiwe(store, tenant, body, ctx.tokens.settings.clockTolerance);
    case 'privy':
      return verifyPrivyToken(store, tenant, body.token, ctx.tokens.settings.clockTolerance);
    case 'passkey':
      return verifyPasskeyAssertion(store, tenant, body);
    default:
      throw unsupportedMethod(`${(body as { provider: string }).provider} sign-in`);
  }
}
