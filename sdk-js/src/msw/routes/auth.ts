import type { contract } from '@enforcer/contract';
import { hashInviteCode } from '@enforcer/core';
import type { MockContext, RouterImpl } from '../context';
import { authenticate } from '../methods/authenticate';
import { sendOtp } from '../methods/otp';
import { assertStrongPassword } from '../methods/password-policy';
import { acceptsSession, hashPassword, loginFlow } from '../methods/sign-in';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { authMethodRoutes, type IdentityRoute } from './auth-methods';
import { userOf } from './helpers';

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

/** A session may be carried into a tenant only if the tenant accepts a method that produced it. */
function assertAcceptsSession(tenant: TenantRow, amr: readonly string[]): void {
  if (!acceptsSession(tenant.authProviders, amr)) {
    throw new MockError(
      'provider_not_allowed',
      'This tenant does not accept the sign-in method of your session; sign in to it directly',
    );
  }
}

/** Switch-like answers (join, switch, invite): a new session for the account, with the caller's amr. */
const sessionFor = (ctx: MockContext, accountId: string) => {
  const user = userOf(ctx);
  return ctx.tokens.signIn(ctx.store.accounts.get(accountId)!, user.claims.amr);
};

/**
 * The auth routes still written here (sign-in itself); `permissions`, `tenants` and the identity routes
 * are the core's.
 */
export const authRoutes = (options: {
  devMode: boolean;
}): Omit<RouterImpl<typeof contract.auth>, 'permissions' | 'tenants' | IdentityRoute> => ({
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

  login: async ({ body }, ctx) => {
    const tenant = tenantByCode(ctx.store, body.tenant_code);
    requireProvider(tenant, body.provider);
    return { status: 200, body: await loginFlow(ctx, tenant, body, () => authenticate(ctx, tenant, body)) };
  },

  refresh: async ({ body }, { tokens }) => ({ status: 200, body: await tokens.refresh(body.refresh_token) }),
  ...authMethodRoutes,

  logout: async ({ body }, ctx) => {
    const { store, tokens, principal } = ctx;
    if (body.all_sessions) {
      if (principal?.kind !== 'user')
        throw new MockError('unauthenticated', 'Ending every session needs a user token');
      for (const session of store.sessions.values()) {
        if (session.personId === principal.account.personId) store.revokeSession(session, 'logout_all');
      }
    } else if (body.refresh_token !== undefined) {
      const session = await tokens.sessionOf(body.refresh_token);
      if (session) store.revokeSession(session, 'logout');
    } else if (principal?.kind === 'user') {
      store.revokeSession(principal.session, 'logout');
    } else {
      throw new MockError('bad_request', 'Send a refresh_token, or a user token');
    }
    return { status: 204, body: undefined };
  },

  joinTenant: async ({ body }, ctx) => {
    const user = userOf(ctx);
    const tenant = tenantByCode(ctx.store, body.tenant_code);
    if (ctx.store.accountOf(user.account.personId, tenant.id)) {
      throw new MockError('already_member', 'You already have an account in this tenant: switch to it');
    }
    if (!tenant.allowSignup) throw new MockError('signup_disabled', 'This tenant is invite-only');
    assertAcceptsSession(tenant, user.claims.amr);
    const account = ctx.store.createAccount(user.account.personId, tenant.id, 'member');
    return { status: 200, body: await sessionFor(ctx, account.id) };
  },

  switchTenant: async ({ body }, ctx) => {
    const user = userOf(ctx);
    const account = ctx.store.accountOf(user.account.personId, body.tenant_id);
    if (!account) throw new MockError('not_a_member', 'You have no account in that tenant');
    if (!account.active)
      throw new MockError('account_inactive', 'Your account in that tenant is deactivated');
    assertAcceptsSession(ctx.store.tenants.get(account.tenantId)!, user.claims.amr);
    return { status: 200, body: await sessionFor(ctx, account.id) };
  },

  acceptInvite: async ({ body }, ctx) => {
    const user = userOf(ctx);
    const { store } = ctx;
    const person = store.persons.get(user.account.personId)!;
    const codeHash = await hashInviteCode(body.code);
    // Read in a unit of work: it waits for invites still being written (`mock.seed.invite`).
    const found = await store.db.read((repos) => repos.invites.findByCodeHash(codeHash));
    const invite = found && store.invites.get(found.id);
    if (
      !invite ||
      invite.acceptedAt !== null ||
      invite.expiresAt <= store.now() ||
      invite.email !== person.email ||
      !person.emailVerified
    ) {
      throw new MockError('invite_invalid', 'This invite is unknown, used, expired or for someone else');
    }
    if (store.accountOf(person.id, invite.tenantId)) {
      throw new MockError('already_member', 'You already have an account in this tenant: switch to it');
    }
    assertAcceptsSession(store.tenants.get(invite.tenantId)!, user.claims.amr);
    const account = store.createAccount(person.id, invite.tenantId, invite.role);
    invite.acceptedAt = store.now();
    return { status: 200, body: await sessionFor(ctx, account.id) };
  },

  me: (_request, ctx) => {
    const user = userOf(ctx);
    const { store } = ctx;
    const subject = store.subjectOf(user.account);
    return {
      status: 200,
      body: {
        account: store.accountView(user.account),
        person: store.personView(store.persons.get(user.account.personId)!),
        tenant: store.tenantView(store.tenants.get(user.account.tenantId)!),
        roles: [...subject.roles],
        groups: [...subject.groups],
        session: {
          id: user.session.id,
          amr: [...user.session.amr],
          expires_at: user.session.absoluteExpiresAt.toISOString(),
        },
      },
    };
  },
});
