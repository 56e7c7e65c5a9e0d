import type { contract } from '@enforcer/contract';
import { countsAsGuess } from '@enforcer/core';
import type { MockContext, RouterImpl } from '../context';
import { randomToken } from '../crypto';
import { checkOtp, sendOtp } from '../methods/otp';
import { assertStrongPassword } from '../methods/password-policy';
import { hashPassword, personOfEmail, personSubject, verifyPassword } from '../methods/sign-in';
import { MockError } from '../problem';
import { iso, type MockStore, type TenantRow } from '../store';
import { ownTenant, userOf } from './helpers';

/**
 * Passwords and magic links, with the server's rules and answers
 * (server/src/domains/auth/methods/{password,magic-link}/). MFA is the core's (server/core/src/mfa).
 */

const MAGIC_LINK_TTL_SECONDS = 900;
const MAGIC_LINK_MAX_REQUESTS = 5;
const MAGIC_LINK_WINDOW_SECONDS = 900;

function tenantByCode(store: MockStore, code: string): TenantRow {
  const tenant = store.tenantByCode(code);
  if (!tenant) throw new MockError('not_found', 'No tenant with that code');
  return tenant;
}

const requirePasswords = (tenant: TenantRow) => {
  if (!tenant.authProviders.includes('password')) {
    throw new MockError('provider_not_allowed', 'This tenant does not accept passwords');
  }
};

const endSessions = (store: MockStore, personId: string, reason: string, keep?: string): number => {
  let ended = 0;
  for (const session of store.sessions.values()) {
    if (session.personId === personId && session.revokedAt === null && session.id !== keep) {
      store.revokeSession(session, reason);
      ended += 1;
    }
  }
  return ended;
};

const caller = (ctx: MockContext) => {
  const user = userOf(ctx);
  const person = ctx.store.persons.get(user.account.personId)!;
  return { user, person, subject: personSubject(ctx.store, user.account.tenantId, person.id) };
};

export const passwordRoutes = (options: { devMode: boolean }): RouterImpl<typeof contract.password> => ({
  change: async ({ body }, ctx) => {
    const { store } = ctx;
    const { user, person, subject } = caller(ctx);
    const tenant = store.tenants.get(user.account.tenantId)!;
    assertStrongPassword(body.new_password, 'body.new_password', {
      email: person.email,
      tenantName: tenant.name,
    });
    const hash = store.passwords.get(person.id);
    if (!hash) {
      throw new MockError(
        'conflict',
        'This account has no password yet: set one with POST /auth/password/reset/request',
      );
    }
    const { throttle } = store;
    const gate = await throttle.gate(subject);
    if (gate) throw gate;
    if (!(await verifyPassword(hash, body.current_password))) {
      throw (
        (await throttle.recordFailure(subject, 'wrong_password')) ??
        new MockError('invalid_credentials', 'The current password is wrong')
      );
    }
    store.passwords.set(person.id, await hashPassword(body.new_password));
    await throttle.recordSuccess(subject);
    const ended = endSessions(store, person.id, 'password_changed', user.session.id);
    return { status: 200, body: { changed: true, sessions_revoked: ended } };
  },

  requestReset: async ({ body }, { store }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    requirePasswords(tenant);
    const sent = await sendOtp(store, {
      channel: 'email',
      address: body.email,
      tenantId: tenant.id,
      purpose: 'password_reset',
      accepted: true,
      devMode: options.devMode,
    });
    return { status: 200, body: sent };
  },

  confirmReset: async ({ body }, { store }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    requirePasswords(tenant);
    assertStrongPassword(body.new_password, 'body.new_password', {
      email: body.email,
      tenantName: tenant.name,
    });
    const { throttle } = store;
    const subject = { tenantId: tenant.id, identifier: body.email, client: {} };
    const gate = await throttle.gate(subject);
    if (gate) throw gate;
    const check = await checkOtp(
      store,
      { purpose: 'password_reset', email: body.email, tenantId: tenant.id },
      body.code,
    );
    if (!check.ok) {
      const limited = countsAsGuess(check.reason)
        ? await throttle.recordFailure(subject, check.reason)
        : undefined;
      throw limited ?? check.error;
    }
    const known = store.personByEmail(body.email);
    const live = known
      ? [...store.sessions.values()].filter((s) => s.personId === known.id && s.revokedAt === null).length
      : 0;
    const person = personOfEmail(store, body.email, true);
    store.passwords.set(person.id, await hashPassword(body.new_password));
    await throttle.recordSuccess(subject);
    endSessions(store, person.id, 'password_reset');
    return { status: 200, body: { reset: true, sessions_revoked: live } };
  },
});

export const magicLinkRoutes = (options: { devMode: boolean }): RouterImpl<typeof contract.magicLink> => ({
  request: ({ body }, { store }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    if (!tenant.authProviders.includes('magic_link')) {
      throw new MockError('provider_not_allowed', 'This tenant does not accept magic links');
    }
    const allowed = store.magicLinkUrls.get(tenant.id) ?? [];
    if (allowed.length === 0) {
      throw new MockError(
        'bad_request',
        'This tenant has no magic-link redirect URL: an admin sets one with PUT /tenants/{id}/magic-link',
      );
    }
    const redirectUrl = body.redirect_url ?? allowed[0]!;
    if (!allowed.includes(redirectUrl)) {
      const message = "not one of the tenant's magic-link redirect URLs";
      throw new MockError('validation_failed', `redirect_url is ${message}`, {
        errors: [{ path: 'body.redirect_url', message }],
      });
    }
    const now = store.now();
    const mine = [...store.magicLinks.values()].filter(
      (l) => l.email === body.email && l.tenantId === tenant.id,
    );
    const recent = mine
      .filter((l) => l.expiresAt - MAGIC_LINK_TTL_SECONDS * 1000 > now - MAGIC_LINK_WINDOW_SECONDS * 1000)
      .sort((a, b) => a.expiresAt - b.expiresAt);
    if (recent.length >= MAGIC_LINK_MAX_REQUESTS) {
      const createdAt = recent[0]!.expiresAt - MAGIC_LINK_TTL_SECONDS * 1000;
      const retryAfter = Math.max(1, Math.ceil((createdAt + MAGIC_LINK_WINDOW_SECONDS * 1000 - now) / 1000));
      throw new MockError(
        'rate_limited',
        `Too many links for this email: try again in ${retryAfter} seconds`,
        {
          headers: { 'retry-after': String(retryAfter) },
        },
      );
    }
    for (const link of mine) link.usedAt ??= now; // a new link supersedes the live one
    const token = randomToken(32);
    const expiresAt = now + MAGIC_LINK_TTL_SECONDS * 1000;
    store.magicLinks.set(token, { email: body.email, tenantId: tenant.id, expiresAt, usedAt: null });
    const url = new URL(redirectUrl);
    url.searchParams.set('token', token);
    return {
      status: 200,
      body: {
        sent: true,
        channel: 'email',
        expires_at: iso(expiresAt),
        ...(options.devMode ? { token, link: url.toString() } : {}),
      },
    };
  },
  getSettings: ({ params }, ctx) => {
    const tenantId = ownTenant(ctx, params.id);
    return { status: 200, body: { redirect_urls: [...(ctx.store.magicLinkUrls.get(tenantId) ?? [])] } };
  },
  putSettings: ({ params, body }, ctx) => {
    const tenantId = ownTenant(ctx, params.id);
    ctx.store.magicLinkUrls.set(tenantId, [...body.redirect_urls]);
    return { status: 200, body: { redirect_urls: [...body.redirect_urls] } };
  },
});
