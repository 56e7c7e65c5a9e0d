// Privacy (#15) end to end, through HTTP on a real PostgreSQL: a person's export holds no secret; asking for
// deletion needs a fresh proof; the grace period shows on sign-in and can be cancelled; an admin of the
// tenant (and only of that tenant) processes a request, or the job does once the grace period ends; after
// the erasure no column the registry declares personal still holds the person's values (checked with SQL),
// every session is over, and both tenants' audit chains still verify.
import { createHash, randomBytes } from 'node:crypto';
import { processDueDeletions } from '@enforcer/core';
import { initOrm, PostgresUnitOfWork, personalData, TenantPolicyService } from '@enforcer/server';
import { ManualClock, totpCode } from '@enforcer/server/testing';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { withPg } from '../support/index.js';
import { expectOk, expectProblem, seedTenant, uniqueEmail } from './admin-setup.js';
import { startServer } from './harness.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock, env: { TRUST_PROXY: 'true' } });
const { api } = server;
const a = await seedTenant(server, 'Tenant A');
const b = await seedTenant(server, 'Tenant B');

let clients = 0;
/** A person's own client: an address and a user agent nobody else in the file uses. */
const newClient = () => {
  clients++;
  return {
    ip: `198.51.100.${100 + clients}`,
    userAgent: `PrivacyTest/${clients} (${randomBytes(4).toString('hex')})`,
  };
};
type Client = ReturnType<typeof newClient>;
const headersOf = (c: Client) => ({ 'x-forwarded-for': c.ip, 'user-agent': c.userAgent });

/** Every secret the test saw, to look for in exports and rows. */
const secrets: string[] = [a.apiKey, b.apiKey];

async function signIn(email: string, tenantCode: string, client: Client) {
  const sent = await api('POST', '/auth/otp/request', {
    body: { email, tenant_code: tenantCode },
    headers: headersOf(client),
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  secrets.push(sent.body.code);
  const login = await api('POST', '/auth/login', {
    body: { provider: 'email_otp', email, otp: sent.body.code, tenant_code: tenantCode },
    headers: headersOf(client),
  });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  secrets.push(login.body.token, login.body.refresh_token);
  return login.body as {
    token: string;
    refresh_token: string;
    pending_deletion?: unknown;
    account: { id: string };
  };
}

/** A person with accounts in both tenants, a profile, metadata and a failed sign-in naming their email. */
async function person() {
  const email = uniqueEmail('erase-me');
  const client = newClient();
  const displayName = `Ada ${randomBytes(3).toString('hex')}`;
  // A wrong code first: an `auth.login.failed` event with the email and the client.
  const wrong = await api('POST', '/auth/otp/request', {
    body: { email, tenant_code: a.tenant.code },
    headers: headersOf(client),
  });
  secrets.push(wrong.body.code);
  const failed = await api('POST', '/auth/login', {
    body: {
      provider: 'email_otp',
      email,
      otp: wrong.body.code === '000000' ? '111111' : '000000',
      tenant_code: a.tenant.code,
    },
    headers: headersOf(client),
  });
  expect(failed.status).toBe(401);
  const inA = await signIn(email, a.tenant.code, client);
  const inB = await signIn(email, b.tenant.code, client);
  expectOk(
    await api('PATCH', '/auth/me', {
      token: inA.token,
      body: { display_name: displayName },
      headers: headersOf(client),
    }),
  );
  expectOk(
    await api('PATCH', '/auth/me/metadata', {
      token: inA.token,
      body: { user_metadata: { nickname: displayName } },
      headers: headersOf(client),
    }),
  );
  return { email, client, displayName, inA, inB };
}

/** The registry's personal columns holding any of `values` (SQL over every declared column). */
async function leftovers(values: string[]): Promise<string[]> {
  const found: string[] = [];
  await withPg(server.db.url, async (pg) => {
    for (const [table, columns] of Object.entries(personalData)) {
      for (const [column, { erasure }] of Object.entries(columns)) {
        // Expiring columns are not chased by an erasure (see the registry): the rate limit's counters.
        if (erasure === 'expires') continue;
        for (const value of values) {
          const { rows } = await pg.query(
            `select count(*)::int as n from "${table}" where strpos(lower("${column}"::text), lower($1)) > 0`,
            [value],
          );
          if (rows[0].n > 0) found.push(`${table}.${column} holds ${value}`);
        }
      }
    }
  });
  return found;
}

/** Admins' tokens outlive the clock's moves in this file only if signed in again. */
async function refreshAdmins() {
  for (const m of [a.admin, a.member])
    m.token = (await server.signIn({ accountId: m.accountId })).accessToken;
}

const verifyChain = async (apiKey: string) => expectOk(await api('GET', '/audit-events/verify', { apiKey }));

describe('GET /auth/me/export', () => {
  it('holds the person, both accounts, sessions and events, and no secret', async () => {
    const p = await person();
    const exported = expectOk(await api('GET', '/auth/me/export', { token: p.inA.token }));
    expect(exported).toMatchObject({
      format: 'enforcer.personal-data-export.v1',
      person: { email: p.email, email_verified: true, profile: { display_name: p.displayName } },
      contacts: { emails: [p.email] },
      credentials: { password: false, totp: false },
      deletion_request: null,
    });
    expect(exported.accounts.map((x: { tenant: { id: string } }) => x.tenant.id).sort()).toEqual(
      [a.tenant.id, b.tenant.id].sort(),
    );
    expect(
      exported.accounts.find((x: { tenant: { id: string } }) => x.tenant.id === a.tenant.id),
    ).toMatchObject({
      user_metadata: { nickname: p.displayName },
    });
    expect(exported.accounts[0]).not.toHaveProperty('private_metadata');
    expect(exported.sessions).toHaveLength(2);
    expect(exported.sessions[0]).toMatchObject({ ip: p.client.ip, user_agent: p.client.userAgent });
    const types = exported.audit_events.map((e: { type: string }) => e.type);
    expect(types).toContain('auth.login.succeeded');
    expect(types).toContain('person.profile.updated');

    const text = JSON.stringify(exported);
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
      expect(text).not.toContain(createHash('sha256').update(secret).digest('base64url'));
    }
    // No field that carries a secret by its name (`credentials.password` is only whether one exists).
    expect(
      text.match(/"(token_hash|code_hash|key_hash|value_hash|secret|secret_sealed|public_key)":/g),
    ).toBeNull();
    expect(exported.credentials.password).toBe(false);
  });

  it('holds ended sessions, invites sent to and accepted by the person, pending codes and links; never their secrets', async () => {
    const p = await person();
    const c = await seedTenant(server, 'Tenant C');
    const d = await seedTenant(server, 'Tenant D');
    await server.db.updateTenant(c.tenant.id, {
      authProviders: ['email_otp', 'magic_link'],
      allowSignup: true,
    });
    expectOk(
      await api('PUT', `/tenants/${c.tenant.id}/magic-link`, {
        token: c.owner.token,
        body: { redirect_urls: ['https://app.example.test/magic'] },
      }),
    );
    secrets.push(c.apiKey, d.apiKey);
    // An ended session: signed in once more in A, then signed out.
    const once = await signIn(p.email, a.tenant.code, p.client);
    const endedId = decodeJwt(once.token).sid as string;
    expect((await api('POST', '/auth/logout', { body: { refresh_token: once.refresh_token } })).status).toBe(
      204,
    );
    // An invite to C left pending, one to D accepted by the person.
    const pendingInvite = expectOk(
      await api('POST', `/tenants/${c.tenant.id}/invites`, { apiKey: c.apiKey, body: { email: p.email } }),
      201,
    );
    const acceptedInvite = expectOk(
      await api('POST', `/tenants/${d.tenant.id}/invites`, { apiKey: d.apiKey, body: { email: p.email } }),
      201,
    );
    secrets.push(pendingInvite.code, acceptedInvite.code);
    const joined = expectOk(
      await api('POST', '/auth/invites/accept', { token: p.inA.token, body: { code: acceptedInvite.code } }),
    );
    secrets.push(joined.token, joined.refresh_token);
    // A code asked for and never used, and a sign-in link.
    const code = expectOk(
      await api('POST', '/auth/otp/request', {
        body: { email: p.email, tenant_code: b.tenant.code },
        headers: headersOf(p.client),
      }),
    ).code;
    const link = expectOk(
      await api('POST', '/auth/magic-link/request', { body: { email: p.email, tenant_code: c.tenant.code } }),
    ).token;
    secrets.push(code, link);

    const exported = expectOk(await api('GET', '/auth/me/export', { token: p.inA.token }));
    const now = clock.now().getTime();
    expect(exported.sessions.map((x: { id: string }) => x.id)).not.toContain(endedId);
    expect(exported.ended_sessions).toContainEqual(
      expect.objectContaining({
        id: endedId,
        tenant_id: a.tenant.id,
        end_reason: 'logout',
        ip: p.client.ip,
        user_agent: p.client.userAgent,
      }),
    );
    const invites = new Map(exported.invites.map((i: { id: string }) => [i.id, i]));
    expect(invites.get(pendingInvite.id)).toMatchObject({
      tenant: { id: c.tenant.id, code: c.tenant.code, name: 'Tenant C' },
      email: p.email,
      status: 'pending',
      accepted_at: null,
      accepted_account_id: null,
    });
    expect(invites.get(acceptedInvite.id)).toMatchObject({
      tenant: { id: d.tenant.id },
      status: 'accepted',
      accepted_at: expect.any(String),
      accepted_account_id: joined.account.id,
    });
    expect(exported.accounts.map((x: { tenant: { id: string } }) => x.tenant.id)).toContain(d.tenant.id);
    // The pending codes are exactly the person's unspent, unexpired challenges in PostgreSQL.
    const rows = await withPg(server.db.url, async (pg) => ({
      codes: (
        await pg.query(
          'select "id", "code_hash", "consumed_at", "expires_at" from "otp_challenge" where "email" = $1',
          [p.email],
        )
      ).rows,
      links: (
        await pg.query('select "id", "token_hash" from "magic_link_token" where "email" = $1', [p.email])
      ).rows,
      invites: (await pg.query('select "code_hash" from "invite" where "email" = $1', [p.email])).rows,
      refresh: (
        await pg.query(
          'select "token_hash" from "refresh_token" where "session_id" in (select "id" from "session" where "person_id" = $1)',
          [exported.person.id],
        )
      ).rows,
    }));
    const usable = rows.codes.filter(
      (r: { consumed_at: Date | null; expires_at: Date }) =>
        r.consumed_at === null && new Date(r.expires_at).getTime() > now,
    );
    expect(rows.codes.length).toBeGreaterThan(usable.length); // the spent sign-in codes are left out
    expect(exported.pending_codes.map((x: { id: string }) => x.id).sort()).toEqual(
      usable.map((r: { id: string }) => r.id).sort(),
    );
    expect(exported.pending_codes).toContainEqual(
      expect.objectContaining({ purpose: 'login', tenant_id: b.tenant.id, sent_to: p.email }),
    );
    for (const pending of exported.pending_codes)
      expect(new Date(pending.expires_at).getTime()).toBeGreaterThan(now);
    expect(exported.pending_magic_links).toEqual([
      expect.objectContaining({ id: rows.links[0].id, tenant_id: c.tenant.id, email: p.email }),
    ]);

    const hashes = [
      ...rows.codes.map((r: { code_hash: string }) => r.code_hash),
      ...rows.links.map((r: { token_hash: string }) => r.token_hash),
      ...rows.invites.map((r: { code_hash: string }) => r.code_hash),
      ...rows.refresh.map((r: { token_hash: string }) => r.token_hash),
    ];
    expect(hashes.length).toBeGreaterThanOrEqual(rows.codes.length + 1 + 2 + 1);
    const text = JSON.stringify(exported);
    for (const hash of hashes) expect(text).not.toContain(hash);
    for (const secret of [code, link, pendingInvite.code, acceptedInvite.code, ...secrets]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
      expect(text).not.toContain(createHash('sha256').update(secret).digest('base64url'));
    }
    expect(
      text.match(
        /"(token_hash|code_hash|key_hash|value_hash|secret|secret_sealed|public_key|refresh_token|access_token)":/g,
      ),
    ).toBeNull();
  });

  it('is a user route: an API key is refused', async () => {
    const response = await api('GET', '/auth/me/export', { apiKey: a.apiKey });
    expect(response.status).toBe(403);
  });
});

describe('deletion requests', () => {
  it('needs a fresh proof, shows in the grace period, and can be cancelled', async () => {
    const p = await person();
    clock.advance(11 * 60);
    expectProblem(
      await api('POST', '/auth/me/deletion', { token: p.inA.token, body: {} }),
      403,
      'step_up_required',
    );
    const fresh = await signIn(p.email, a.tenant.code, p.client);
    const asked = expectOk(await api('POST', '/auth/me/deletion', { token: fresh.token, body: {} }), 201);
    expect(asked).toMatchObject({ status: 'pending', tenant_id: a.tenant.id, account_id: fresh.account.id });
    expect(new Date(asked.scheduled_for).getTime() - new Date(asked.requested_at).getTime()).toBe(
      30 * 86_400_000,
    );
    // Asking again answers the pending one.
    expect(expectOk(await api('POST', '/auth/me/deletion', { token: fresh.token, body: {} }))).toMatchObject({
      id: asked.id,
    });

    // Signing in during the grace period shows it, in either tenant; so does GET /auth/me.
    const again = await signIn(p.email, b.tenant.code, p.client);
    expect(again.pending_deletion).toEqual({ id: asked.id, scheduled_for: asked.scheduled_for });
    expect(expectOk(await api('GET', '/auth/me', { token: again.token })).pending_deletion).toEqual({
      id: asked.id,
      scheduled_for: asked.scheduled_for,
    });
    expect(expectOk(await api('GET', '/auth/me/deletion', { token: again.token }))).toMatchObject({
      deletion_request: { id: asked.id, status: 'pending' },
    });
    // A refresh shows it too (an app that keeps its session learns of it), and stops once cancelled.
    const refreshed = expectOk(
      await api('POST', '/auth/refresh', { body: { refresh_token: again.refresh_token } }),
    );
    expect(refreshed.pending_deletion).toEqual({ id: asked.id, scheduled_for: asked.scheduled_for });

    const cancelled = expectOk(await api('DELETE', '/auth/me/deletion', { token: again.token }));
    expect(cancelled).toMatchObject({ id: asked.id, status: 'cancelled' });
    expect(expectOk(await api('GET', '/auth/me/deletion', { token: again.token }))).toEqual({
      deletion_request: null,
    });
    expect(expectOk(await api('GET', '/auth/me', { token: again.token })).pending_deletion).toBeNull();
    expect(
      expectOk(await api('POST', '/auth/refresh', { body: { refresh_token: refreshed.refresh_token } }))
        .pending_deletion,
    ).toBeNull();
    expectProblem(await api('DELETE', '/auth/me/deletion', { token: again.token }), 404, 'not_found');
    // A cancelled request cannot be processed.
    expectProblem(
      await api('POST', `/deletion-requests/${asked.id}/process`, { apiKey: a.apiKey }),
      409,
      'status_conflict',
    );
  });

  it('with a second factor, a fresh sign-in is not enough: a step-up is', async () => {
    const p = await person();
    const enrollment = expectOk(await api('POST', '/auth/mfa/totp/enroll', { token: p.inA.token }));
    expectOk(
      await api('POST', '/auth/mfa/totp/confirm', {
        token: p.inA.token,
        body: { code: await totpCode(enrollment.secret, clock.now()) },
      }),
    );
    secrets.push(enrollment.secret);
    // A session opened a moment ago, without the second factor.
    const fresh = await server.signIn({ accountId: p.inA.account.id, amr: ['otp'] });
    expectProblem(
      await api('POST', '/auth/me/deletion', { token: fresh.accessToken, body: {} }),
      403,
      'step_up_required',
    );
    clock.advance(30);
    const stepped = expectOk(
      await api('POST', '/auth/mfa/step-up', {
        token: fresh.accessToken,
        body: { code: await totpCode(enrollment.secret, clock.now()) },
      }),
    );
    const asked = expectOk(await api('POST', '/auth/me/deletion', { token: stepped.token, body: {} }), 201);
    expect(asked.status).toBe('pending');
    // Ten minutes later the step-up is stale, but the pending request is answered as it is.
    clock.advance(11 * 60);
    expect(
      expectOk(await api('POST', '/auth/me/deletion', { token: stepped.token, body: {} })),
    ).toMatchObject({
      id: asked.id,
    });
    expectOk(await api('DELETE', '/auth/me/deletion', { token: stepped.token }));
    expectProblem(
      await api('POST', '/auth/me/deletion', { token: stepped.token, body: {} }),
      403,
      'step_up_required',
    );
  });

  it('an admin erases the person: no personal value left in any declared column, sessions over, chains whole', async () => {
    await refreshAdmins();
    const p = await person();
    const asked = expectOk(await api('POST', '/auth/me/deletion', { token: p.inA.token, body: {} }), 201);

    // Tenant B's admin neither sees nor processes tenant A's request; a member of A may not either.
    const inB = expectOk(await api('GET', '/deletion-requests', { apiKey: b.apiKey }));
    expect(inB.data.map((r: { id: string }) => r.id)).not.toContain(asked.id);
    expectProblem(
      await api('POST', `/deletion-requests/${asked.id}/process`, { apiKey: b.apiKey }),
      404,
      'not_found',
    );
    expectProblem(await api('GET', '/deletion-requests', { token: a.member.token }), 403, 'forbidden');
    const listed = expectOk(await api('GET', '/deletion-requests?status=pending', { token: a.admin.token }));
    expect(listed.data.map((r: { id: string }) => r.id)).toContain(asked.id);

    expect(await leftovers([p.email, p.client.ip, p.client.userAgent, p.displayName])).not.toEqual([]);
    const done = expectOk(
      await api('POST', `/deletion-requests/${asked.id}/process`, { token: a.admin.token }),
    );
    expect(done.deletion_request).toMatchObject({
      id: asked.id,
      status: 'completed',
      processed_by: { type: 'account', id: a.admin.accountId },
    });
    expect(done.erased).toMatchObject({ accounts: 2, sessions_ended: 2 });

    expect(await leftovers([p.email, p.client.ip, p.client.userAgent, p.displayName])).toEqual([]);

    // Every session is over: the access tokens and the refresh tokens are refused.
    for (const signedIn of [p.inA, p.inB]) {
      expect((await api('GET', '/auth/me', { token: signedIn.token })).status).toBe(401);
      expect(
        (await api('POST', '/auth/refresh', { body: { refresh_token: signedIn.refresh_token } })).status,
      ).toBe(401);
    }
    // The revocation feed heard of both sessions.
    const feed = await withPg(server.db.url, (pg) =>
      pg.query(
        `select count(*)::int as n from revocation_event where account_id = any($1::uuid[]) and kind = 'session_revoked'`,
        [[p.inA.account.id, p.inB.account.id]],
      ),
    );
    expect(feed.rows[0].n).toBeGreaterThanOrEqual(2);

    // The tenant keeps its events, with pseudonymous ids; both chains still verify.
    const events = expectOk(
      await api('GET', `/audit-events?target_account_id=${p.inA.account.id}`, { apiKey: a.apiKey }),
    ).data;
    expect(events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['account.erased']));
    for (const e of events) expect(e).toMatchObject({ ip: null, user_agent: null });
    expect(await verifyChain(a.apiKey)).toMatchObject({ ok: true, first_break: null });
    expect(await verifyChain(b.apiKey)).toMatchObject({ ok: true, first_break: null });

    // Others are untouched: the admin still signs in with their email.
    const admin = expectOk(await api('GET', '/auth/me', { token: a.admin.token }));
    expect(admin.person.email).toBe(a.admin.email);
    // The same email may sign up again: a new person, nothing of the old one.
    const back = await signIn(p.email, a.tenant.code, newClient());
    expect(back.account.id).not.toBe(p.inA.account.id);
  });

  it('an erased admin leaves no address on the sessions they held as someone else', async () => {
    await refreshAdmins();
    const owner = await a.addAccount('owner');
    const client = newClient();
    const target = await a.addAccount('member');
    const impersonated = expectOk(
      await api('POST', `/accounts/${target.accountId}/impersonate`, {
        token: owner.token,
        body: { reason: 'support ticket' },
        headers: headersOf(client),
      }),
    );
    const asked = expectOk(await api('POST', '/auth/me/deletion', { token: owner.token, body: {} }), 201);
    expect(await leftovers([client.ip, client.userAgent])).not.toEqual([]);
    expectOk(await api('POST', `/deletion-requests/${asked.id}/process`, { apiKey: a.apiKey }));
    expect(await leftovers([client.ip, client.userAgent, owner.email])).toEqual([]);
    // The impersonation session ended with its actor.
    expect((await api('GET', '/auth/me', { token: impersonated.token })).status).toBe(401);
    expect(await verifyChain(a.apiKey)).toMatchObject({ ok: true });
  });

  it('the job erases once the grace period (a tenant setting) has ended', async () => {
    await refreshAdmins();
    expectOk(await api('PATCH', '/privacy-settings', { apiKey: a.apiKey, body: { deletion_grace_days: 2 } }));
    expect(expectOk(await api('GET', '/privacy-settings', { token: a.admin.token }))).toEqual({
      deletion_grace_days: 2,
    });
    const p = await person();
    const asked = expectOk(await api('POST', '/auth/me/deletion', { token: p.inA.token, body: {} }), 201);
    expect(new Date(asked.scheduled_for).getTime() - new Date(asked.requested_at).getTime()).toBe(
      2 * 86_400_000,
    );

    const orm = await initOrm(server.db.url, { poolMax: 2 });
    afterAll(() => orm.close(true));
    const uow = new PostgresUnitOfWork({ orm, clock, policies: new TenantPolicyService() });
    expect(await processDueDeletions({ uow, clock })).toBe(0);
    clock.advance(2 * 86_400 + 1);
    expect(await processDueDeletions({ uow, clock })).toBeGreaterThanOrEqual(1);
    const completed = expectOk(await api('GET', '/deletion-requests?status=completed', { apiKey: a.apiKey }));
    expect(completed.data.find((r: { id: string }) => r.id === asked.id)).toMatchObject({
      processed_by: { type: 'system', id: null },
    });
    expect(await leftovers([p.email, p.client.ip, p.client.userAgent, p.displayName])).toEqual([]);
    expect(await verifyChain(a.apiKey)).toMatchObject({ ok: true });
    expectOk(
      await api('PATCH', '/privacy-settings', { apiKey: a.apiKey, body: { deletion_grace_days: null } }),
    );
  });
});
