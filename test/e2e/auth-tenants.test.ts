import { compile, type PolicyDocument } from '@enforcer/contract/policy';
import { ManualClock } from '@enforcer/server/testing';
import { describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, setAccountActive, signIn, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api } = server;
const home = await seedTenant(server.db, { name: 'Home' });

/** An invite row as the tenants domain writes it (only the code's hash is stored). */
const seedInvite = (input: { tenantId: string; email: string; role?: string; ttlSeconds?: number }) =>
  server.db.seedInvite({
    tenantId: input.tenantId,
    email: input.email,
    role: input.role ?? 'admin',
    expiresAt: new Date(clock.now().getTime() + (input.ttlSeconds ?? 3600) * 1000),
  });

describe('POST /auth/tenant/join', () => {
  it('joins a tenant that allows sign-up, as member, with tokens scoped to it; the old session stays', async () => {
    const open = await seedTenant(server.db, { name: 'Open' });
    const session = await signIn(api, uniqueEmail(), home.code);
    const joined = await api('POST', '/auth/tenant/join', {
      token: session.token,
      body: { tenant_code: open.code.toLowerCase() },
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    expect(joined.body).toMatchObject({
      tenant: { id: open.id },
      account: { role: 'member', tenant_id: open.id, person_id: session.person.id },
      person: { id: session.person.id },
    });
    const meThere = await api('GET', '/auth/me', { token: joined.body.token });
    expect(meThere.body.tenant.id).toBe(open.id);
    expect(meThere.body.session.amr).toEqual(['otp']);
    expect((await api('GET', '/auth/me', { token: session.token })).body.tenant.id).toBe(home.id);

    expectProblem(
      await api('POST', '/auth/tenant/join', { token: session.token, body: { tenant_code: open.code } }),
      409,
      'already_member',
    );
    const events = await server.db.auditEvents({ action: 'auth.tenant.joined', tenantId: open.id });
    expect(events).toHaveLength(1);
  });

  it('refuses invite-only tenants (403 signup_disabled), unknown codes (404) and API keys', async () => {
    const closed = await seedTenant(server.db, { allowSignup: false });
    const session = await signIn(api, uniqueEmail(), home.code);
    expectProblem(
      await api('POST', '/auth/tenant/join', { token: session.token, body: { tenant_code: closed.code } }),
      403,
      'signup_disabled',
    );
    expectProblem(
      await api('POST', '/auth/tenant/join', {
        token: session.token,
        body: { tenant_code: 'ZZZZ-ZZZZ-ZZZZ' },
      }),
      404,
      'not_found',
    );
    expectProblem(
      await api('POST', '/auth/tenant/join', { body: { tenant_code: closed.code } }),
      401,
      'unauthenticated',
    );
  });

  it('refuses a tenant that does not accept the method the session was started with', async () => {
    const passkeyOnly = await seedTenant(server.db, { authProviders: ['passkey'] });
    const session = await signIn(api, uniqueEmail(), home.code);
    expectProblem(
      await api('POST', '/auth/tenant/join', {
        token: session.token,
        body: { tenant_code: passkeyOnly.code },
      }),
      403,
      'provider_not_allowed',
    );
  });
});

describe('POST /auth/tenant/switch and GET /auth/tenants', () => {
  it('lists memberships (paginated, current marked) and switches between them', async () => {
    const email = uniqueEmail();
    const second = await seedTenant(server.db, { name: 'Second' });
    const third = await seedTenant(server.db, { name: 'Third' });
    const session = await signIn(api, email, home.code);
    clock.advance(1);
    await signIn(api, email, second.code);
    clock.advance(1);
    await signIn(api, email, third.code);

    const page1 = await api('GET', '/auth/tenants?limit=2', { token: session.token });
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((m: { tenant: { id: string } }) => m.tenant.id)).toEqual([home.id, second.id]);
    expect(page1.body.data.map((m: { current: boolean }) => m.current)).toEqual([true, false]);
    expect(page1.body.pagination.has_more).toBe(true);
    const page2 = await api('GET', `/auth/tenants?limit=2&cursor=${page1.body.pagination.next_cursor}`, {
      token: session.token,
    });
    expect(page2.body.data.map((m: { tenant: { name: string } }) => m.tenant.name)).toEqual(['Third']);
    expect(page2.body.pagination).toEqual({ next_cursor: null, has_more: false });
    expectProblem(
      await api('GET', '/auth/tenants?cursor=bogus', { token: session.token }),
      400,
      'validation_failed',
    );

    const switched = await api('POST', '/auth/tenant/switch', {
      token: session.token,
      body: { tenant_id: third.id },
    });
    expect(switched.status).toBe(200);
    expect(switched.body.tenant.id).toBe(third.id);
    expect(switched.body.account.tenant_id).toBe(third.id);
    const list = await api('GET', '/auth/tenants', { token: switched.body.token });
    expect(list.body.data.find((m: { current: boolean }) => m.current).tenant.id).toBe(third.id);
    // The old session is not revoked.
    expect((await api('GET', '/auth/me', { token: session.token })).status).toBe(200);
    // The new refresh token is bound to the new tenant.
    const refreshed = await api('POST', '/auth/refresh', {
      body: { refresh_token: switched.body.refresh_token },
    });
    expect(refreshed.body.tenant.id).toBe(third.id);
  });

  it('refuses a tenant without an account (403 not_a_member) and a deactivated account (403 account_inactive)', async () => {
    const email = uniqueEmail();
    const other = await seedTenant(server.db);
    const session = await signIn(api, email, home.code);
    expectProblem(
      await api('POST', '/auth/tenant/switch', { token: session.token, body: { tenant_id: other.id } }),
      403,
      'not_a_member',
    );
    expectProblem(
      await api('POST', '/auth/tenant/switch', {
        token: session.token,
        body: { tenant_id: '00000000-0000-4000-8000-000000000000' },
      }),
      403,
      'not_a_member',
    );
    const there = await signIn(api, email, other.code);
    await setAccountActive(server.db, there.account.id, false);
    expectProblem(
      await api('POST', '/auth/tenant/switch', { token: session.token, body: { tenant_id: other.id } }),
      403,
      'account_inactive',
    );
  });
});

describe('POST /auth/invites/accept', () => {
  it("creates the account with the invite's role and signs in to its tenant; works once", async () => {
    const closed = await seedTenant(server.db, { name: 'Invite only', allowSignup: false });
    const email = uniqueEmail('invitee');
    const session = await signIn(api, email, home.code);
    const invite = await seedInvite({ tenantId: closed.id, email, role: 'admin' });
    const accepted = await api('POST', '/auth/invites/accept', {
      token: session.token,
      body: { code: invite.code },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ tenant: { id: closed.id }, account: { role: 'admin', email } });
    const row = await server.db.records('invites').one(invite.id);
    expect(row.acceptedBy).toBe(accepted.body.account.id);

    const other = await signIn(api, email, home.code);
    expectProblem(
      await api('POST', '/auth/invites/accept', { token: other.token, body: { code: invite.code } }),
      400,
      'invite_invalid',
    );
  });

  it('refuses an invite for another email, an expired one and an unknown one, with one answer', async () => {
    const tenant = await seedTenant(server.db, { allowSignup: false });
    const session = await signIn(api, uniqueEmail('mallory'), home.code);
    const forSomeoneElse = await seedInvite({ tenantId: tenant.id, email: uniqueEmail('alice') });
    const expiring = await seedInvite({ tenantId: tenant.id, email: session.person.email!, ttlSeconds: 60 });
    clock.advance(61);
    for (const code of [forSomeoneElse.code, expiring.code, 'inv_unknown']) {
      expectProblem(
        await api('POST', '/auth/invites/accept', { token: session.token, body: { code } }),
        400,
        'invite_invalid',
      );
    }
    const refused = await server.db.auditEvents({
      action: 'auth.invite.refused',
      actorId: session.account.id,
    });
    expect(refused.map((e) => e.details.reason).sort()).toEqual(['expired', 'other_email', 'unknown']);
    expect(JSON.stringify(refused)).not.toContain(forSomeoneElse.code);
  });

  it('a person who already has an account there: 409 already_member, the invite stays usable', async () => {
    const email = uniqueEmail();
    const tenant = await seedTenant(server.db);
    const session = await signIn(api, email, tenant.code);
    const invite = await seedInvite({ tenantId: tenant.id, email });
    expectProblem(
      await api('POST', '/auth/invites/accept', { token: session.token, body: { code: invite.code } }),
      409,
      'already_member',
    );
    const row = await server.db.records('invites').one(invite.id);
    expect(row.acceptedAt).toBeNull();
  });
});

describe('GET /auth/me and GET /auth/permissions', () => {
  it('me: the account as it is now, person, tenant, roles, groups and session', async () => {
    const session = await signIn(api, uniqueEmail(), home.code);
    const response = await api('GET', '/auth/me', { token: session.token });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      account: { id: session.account.id, role: 'member', groups: [] },
      person: { id: session.person.id, email_verified: true },
      tenant: { id: home.id, code: home.code },
      roles: ['member'],
      groups: [],
      session: { amr: ['otp'], expires_at: expect.any(String) },
    });
  });

  it('permissions: the grants, the subject and the effective policy with its ETag, enough to decide locally', async () => {
    const session = await signIn(api, uniqueEmail(), home.code);
    const response = await api('GET', '/auth/permissions', { token: session.token });
    expect(response.status).toBe(200);
    const body = response.body as {
      permissions: string[];
      subject: { id: string; tenant_id: string; roles: string[]; groups: string[] };
      policy: PolicyDocument;
      policy_etag: string;
    };
    expect(body.permissions).toEqual(expect.arrayContaining(['tenants.read', 'roles.read']));
    expect(body.subject).toMatchObject({
      id: session.account.id,
      person_id: session.person.id,
      tenant_id: home.id,
      roles: ['member'],
      groups: [],
      attributes: {},
    });
    expect(body.policy_etag).toMatch(/^".+"$/);
    const policy = compile(body.policy);
    expect(policy.can(body.subject, 'tenants.read')).toBe(true);
    expect(policy.can(body.subject, 'groups.create')).toBe(false);
    expect(policy.can(body.subject, 'transfers.create')).toBe(false);
    // Same answer as the server's: a member may not create groups, and sees only their own account.
    expect((await api('POST', '/groups', { token: session.token, body: { name: 'ops' } })).status).toBe(403);
    const visible = await api('GET', '/accounts', { token: session.token });
    expect(visible.body.data.map((a: { id: string }) => a.id)).toEqual([body.subject.id]);
  });
});
