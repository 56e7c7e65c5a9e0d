import type { LoginBody } from '@enforcer/contract';
import type { MockContext } from '../context';
import { MockError } from '../problem';
import type { TenantRow } from '../store';
import { authenticateWithCore } from './identities';
import { checkOtp } from './otp';
import { verifyPasskeyAssertion } from './passkey';
import { unsupportedMethod } from './settings';
import { type Authentication, verifyPassword } from './sign-in';

const wrongPassword = () => new MockError('invalid_credentials', 'The email or the password is wrong');

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
    case 'phone_otp': {
      const check = await checkOtp(
        store,
        { purpose: 'phone_login', email: body.phone, tenantId: tenant.id },
        body.otp,
      );
      return check.ok ? { ok: true, identity: { provider: 'phone_otp', subject: body.phone } } : check;
    }
    case 'google':
    case 'siwe':
    case 'privy':
      return authenticateWithCore(store, ctx.tokens, tenant, body);
    case 'passkey':
      return verifyPasskeyAssertion(store, tenant, body);
    default:
      throw unsupportedMethod(`${(body as { provider: string }).provider} sign-in`);
  }
}
