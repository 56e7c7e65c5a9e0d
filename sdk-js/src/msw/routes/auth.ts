import type { contract } from '@enforcer/contract';
import { otpCode, randomToken } from '../crypto';
import type { MockContext, RouterImpl } from '../dispatch';
import { MockError } from '../problem';
import { iso, type MockStore, type TenantRow } from '../store';
import { authMethodRoutes, unsupportedMethod } from './auth-methods';
import { paginate, userOf } from './helpers';

export const OTP_TTL_SECONDS = 600;
export const OTP_MAX_ATTEMPTS = 5;

const otpKey = (email: string, tenantId: string | null) => `${email}|${tenantId ?? ''}`;

function tenantByCode(store: MockStore, code: string): TenantRow {
  const tenant = store.tenantByCode(code);
  if (!tenant) throw new MockError('not_found', 'No tenant with that code');
  return tenant;
}

const attemptsExceeded = (store: MockStore, expiresAt: number) =>
  new MockError(
    'otp_attempts_exceeded',
    'Too many wrong codes: this code no longer works. Request a new one after Retry-After seconds.',
    { headers: { 'retry-after': String(Math.max(1, Math.ceil((expiresAt - store.now()) / 1000))) } },
  );

const liveOtp = (store: MockStore, email: string, tenantId: string | null) => {
  const row = store.otps.get(otpKey(email, tenantId));
  return row && !row.used && row.expiresAt > store.now() ? row : undefined;
};

/**
 * Checks and spends a one-time code for `email` (scoped to `tenantId`, or to none for
 * self-serve), as the server: every failure is the same `invalid_otp`; the fifth wrong code
 * burns it (`otp_attempts_exceeded`).
 */
export function consumeOtp(store: MockStore, email: string, tenantId: string | null, code: string): void {
  const row = liveOtp(store, email, tenantId);
  if (!row) throw new MockError('invalid_otp', 'The code is wrong, expired or already used');
  if (row.attempts >= OTP_MAX_ATTEMPTS) throw attemptsExceeded(store, row.expiresAt);
  if (row.code !== code) {
    row.attempts += 1;
    if (row.attempts >= OTP_MAX_ATTEMPTS) throw attemptsExceeded(store, row.expiresAt);
    throw new MockError('invalid_otp', 'The code is wrong, expired or already used');
  }
  row.used = true;
}

/** A new code; wrong tries carry over from the live one, and a burnt scope is refused until it expires. */
export function issueOtp(store: MockStore, email: string, tenantId: string | null) {
  const live = liveOtp(store, email, tenantId);
  if (live && live.attempts >= OTP_MAX_ATTEMPTS) throw attemptsExceeded(store, live.expiresAt);
  const row = {
    email,
    tenantId,
    code: otpCode(),
    expiresAt: store.now() + OTP_TTL_SECONDS * 1000,
    attempts: live?.attempts ?? 0,
    used: false,
  };
  store.otps.set(otpKey(email, tenantId), row);
  return row;
}

const requireProvider = (tenant: TenantRow, provider: string) => {
  if (!(tenant.authProviders as string[]).includes(provider)) {
    throw new MockError('provider_not_allowed', `This tenant does not accept ${provider}`);
  }
};

/** The `amr` each implemented sign-in method produces (only email codes so far, as the server). */
const AMR: Partial<Record<string, string[]>> = { email_otp: ['otp'] };

/** A session may be carried into a tenant only if the tenant accepts a method that produced it. */
function assertAcceptsSession(tenant: TenantRow, amr: readonly string[]): void {
  if (!tenant.authProviders.some((p) => (AMR[p] ?? []).some((value) => amr.includes(value)))) {
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

export const authRoutes = (options: { devMode: boolean }): RouterImpl<typeof contract.auth> => ({
  register: ({ body }, { store }) => {
    if (body.tenant_code !== undefined) {
      const tenant = tenantByCode(store, body.tenant_code);
      requireProvider(tenant, body.provider);
      if (!tenant.allowSignup) throw new MockError('signup_disabled', 'This tenant is invite-only');
      const person = store.ensurePerson(body.email, false);
      if (!store.accountOf(person.id, tenant.id)) store.createAccount(person.id, tenant.id, 'member');
    } else {
      store.ensurePerson(body.email, false);
    }
    return { status: 202, body: { accepted: true, next: 'otp_request' } };
  },

  requestOtp: ({ body }, { store }) => {
    if (!('email' in body)) throw new MockError('provider_not_configured', 'The mock sends no SMS codes');
    const tenant = body.tenant_code === undefined ? null : tenantByCode(store, body.tenant_code);
    // A tenant that does not take email codes: the same answer, but nothing is issued.
    if (tenant && !tenant.authProviders.includes('email_otp')) {
      const expires_at = iso(store.now() + OTP_TTL_SECONDS * 1000);
      return { status: 200, body: { sent: true, channel: 'email', expires_at } };
    }
    const row = issueOtp(store, body.email, tenant?.id ?? null);
    return {
      status: 200,
      body: {
        sent: true,
        channel: 'email',
        expires_at: iso(row.expiresAt),
        ...(options.devMode ? { code: row.code } : {}),
      },
    };
  },

  login: async ({ body }, { store, tokens }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    requireProvider(tenant, body.provider);
    if (body.provider !== 'email_otp') throw unsupportedMethod(body.provider);
    consumeOtp(store, body.email, tenant.id, body.otp);
    const person = store.ensurePerson(body.email, true);
    let account = store.accountOf(person.id, tenant.id);
    if (!account) {
      if (!tenant.allowSignup) throw new MockError('signup_disabled', 'This tenant is invite-only');
      account = store.createAccount(person.id, tenant.id, 'member');
    }
    return { status: 200, body: await tokens.signIn(account, ['otp']) };
  },

  refresh: async ({ body }, { tokens }) => ({ status: 200, body: await tokens.refresh(body.refresh_token) }),
  ...authMethodRoutes,

  logout: ({ body }, ctx) => {
    const { store, principal } = ctx;
    if (body.all_sessions) {
      if (principal?.kind !== 'user')
        throw new MockError('unauthenticated', 'Ending every session needs a user token');
      for (const session of store.sessions.values()) {
        if (session.personId === principal.account.personId) store.revokeSession(session, 'logout_all');
      }
    } else if (body.refresh_token !== undefined) {
      const row = store.refreshTokens.get(body.refresh_token);
      const session = row && store.sessions.get(row.sessionId);
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

  tenants: ({ query }, ctx) => {
    const user = userOf(ctx);
    const { store } = ctx;
    const memberships = [...store.accounts.values()]
      .filter((a) => a.personId === user.account.personId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((a) => ({
        tenant: store.tenantSummary(store.tenants.get(a.tenantId)!),
        account_id: a.id,
        role: a.role,
        active: a.active,
        current: a.tenantId === user.account.tenantId,
      }));
    return { status: 200, body: paginate(memberships, query) };
  },

  acceptInvite: async ({ body }, ctx) => {
    const user = userOf(ctx);
    const { store } = ctx;
    const person = store.persons.get(user.account.personId)!;
    const invite = [...store.invites.values()].find((i) => i.code === body.code);
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
          expires_at: iso(user.session.absoluteExpiresAt),
        },
      },
    };
  },

  permissions: async (_request, ctx) => {
    const user = userOf(ctx);
    const { store } = ctx;
    const policy = store.policyOf(user.account.tenantId);
    const subject = store.subjectOf(user.account);
    return {
      status: 200,
      body: {
        permissions: policy.compiled.permissions(subject),
        subject,
        policy: policy.effective,
        policy_etag: await store.etagOf(user.account.tenantId),
      },
    };
  },
});

export const newInviteCode = () => randomToken(24);
