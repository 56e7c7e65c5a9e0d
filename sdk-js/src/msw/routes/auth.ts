import type { contract } from '@enforcer/contract';
import type { AuthHandlers } from '@enforcer/core';
import type { RouterImpl } from '../context';
import { sendOtp } from '../methods/otp';
import { assertStrongPassword } from '../methods/password-policy';
import { hashPassword } from '../methods/sign-in';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { authMethodRoutes } from './auth-methods';

function tenantByCode(store: MockStore, code: string): TenantRow {
  const tenant = store.tenantByCode(code);
  if (!tenant) throw new MockError('not_found', 'No tenant with that code');
  return tenant;
}

const requireProvider = (tenant: TenantRow, provider: string) => {
  if (!(tenant.authProviders as string[]).includes(provider)) {
    throw new MockError('provider_not_allowed', `This tenant does not accept ${provider}`);
  }
};

/** The routes the core's handlers replace (`authHandlers`, `membershipsHandler`, `permissionsHandler`). */
type CoreAuthRoutes = keyof AuthHandlers | 'permissions' | 'tenants';

/** The auth routes still written here: registration and code requests, and the methods' own routes. */
export const authRoutes = (options: {
  devMode: boolean;
}): Omit<RouterImpl<typeof contract.auth>, CoreAuthRoutes> => ({
  register: async ({ body }, { store }) => {
    const tenant = body.tenant_code !== undefined ? tenantByCode(store, body.tenant_code) : null;
    if (tenant) {
      requireProvider(tenant, body.provider);
      if (!tenant.allowSignup) throw new MockError('signup_disabled', 'This tenant is invite-only');
    }
    let person = store.personByEmail(body.email);
    if (body.provider === 'password') {
      // A password is set for a NEW person only; a known email changes nothing (same answer).
      assertStrongPassword(body.password, 'body.password', { email: body.email });
      const hash = await hashPassword(body.password);
      if (!person) {
        person = store.ensurePerson(body.email, false);
        store.passwords.set(person.id, hash);
      }
    }
    person ??= store.ensurePerson(body.email, false);
    if (tenant && !store.accountOf(person.id, tenant.id)) store.createAccount(person.id, tenant.id, 'member');
    return {
      status: 202,
      body: { accepted: true, next: body.provider === 'password' ? 'login' : 'otp_request' },
    };
  },

  requestOtp: async ({ body }, { store }) => {
    const tenant = body.tenant_code === undefined ? null : tenantByCode(store, body.tenant_code);
    // Phone codes are bound to the number, the tenant and the purpose, as email codes to the email.
    const [channel, address, provider] =
      'email' in body
        ? (['email', body.email, 'email_otp'] as const)
        : (['sms', body.phone, 'phone_otp'] as const);
    const sent = await sendOtp(store, {
      channel,
      address,
      tenantId: tenant?.id ?? null,
      accepted: !tenant || tenant.authProviders.includes(provider),
      devMode: options.devMode,
    });
    return { status: 200, body: sent };
  },

  ...authMethodRoutes,
});
