// Issue #14's sessions over HTTP against the real server: what GET /auth/sessions shows (the user agent and
// address the server saw, the device label, refreshes), and every refusal of the user's and the admin's
// routes: someone else's session, another tenant, a missing permission, an outranking account.
import { ManualClock } from '@enforcer/server/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type Member, type SeededTenant, seedTenant } from './admin-setup.js';
import { requestCode } from './auth-fixtures.js';
import { startServer } from './harness.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api } = server;
let a: SeededTenant;
let b: SeededTenant;

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const HOSTILE = '<script>alert(1)</script>"; DROP TABLE session; --\u00e9';

beforeAll(async () => {
  a = await seedTenant(server, 'Sessions A');
  b = await seedTenant(server, 'Sessions B');
});

/** An email-code sign-in over HTTP, sent with this user agent. */
async function login(who: Member, tenant: SeededTenant, userAgent?: string) {
  const otp = await requestCode(api, who.email, tenant.tenant.code);
  return expectOk(
    await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email: who.email, otp, tenant_code: tenant.tenant.code },
      headers: userAgent ? { 'user-agent': userAgent } : {},
    }),
  );
}

const sessionIdOf = async (token: string): Promise<string> =>
  expectOk(await api('GET', '/auth/me', { token })).session.id;

describe('GET /auth/sessions', () => {
  it('shows the user agent and address the server saw, a device label, and follows refreshes', async () => {
    const who = await a.addAccount('member');
    const chrome = await login(who, a, CHROME_MAC);
    const hostile = await login(who, a, HOSTILE);
    const chromeId = await sessionIdOf(chrome.token);
    const hostileId = await sessionIdOf(hostile.token);

    const list = expectOk(await api('GET', '/auth/sessions', { token: chrome.token }));
    const byId = new Map(list.data.map((s: { id: string }) => [s.id, s]));
    expect(byId.get(chromeId)).toMatchObject({
      tenant_id: a.tenant.id,
      account_id: who.accountId,
      user_agent: CHROME_MAC,
      device: 'Chrome on macOS',
      amr: ['otp'],
      current: true,
      ip: expect.stringMatching(/\d/),
    });
    // The header is echoed as data (JSON-escaped), never turned into the label.
    expect(byId.get(hostileId)).toMatchObject({
      user_agent: HOSTILE,
      device: 'Unknown device',
      current: false,
    });
    const before = byId.get(hostileId) as { created_at: string; last_used_at: string; expires_at: string };
    expect(before.last_used_at).toBe(before.created_at);
    expect(Date.parse(before.expires_at)).toBeGreaterThan(Date.parse(before.created_at));

    clock.advance(120);
    const refreshed = expectOk(
      await api('POST', '/auth/refresh', {
        body: { refresh_token: hostile.refresh_token },
        headers: { 'user-agent': FIREFOX_WIN },
      }),
    );
    const after = expectOk(await api('GET', '/auth/sessions', { token: refreshed.token })).data.find(
      (s: { id: string }) => s.id === hostileId,
    );
    expect(after).toMatchObject({
      device: 'Firefox on Windows',
      current: true,
      created_at: before.created_at,
    });
    expect(Date.parse(after.last_used_at) - Date.parse(before.last_used_at)).toBeGreaterThanOrEqual(120_000);
  });

  it('ending one: its refresh fails, its access token is refused, it is audited and in the feed', async () => {
    const who = await a.addAccount('member');
    const keep = await login(who, a);
    const end = await login(who, a);
    const endId = await sessionIdOf(end.token);
    const cursor = expectOk(await api('GET', '/revocations', { apiKey: a.apiKey })).next_cursor;

    expect((await api('DELETE', `/auth/sessions/${endId}`, { token: keep.token })).status).toBe(204);
    expectProblem(
      await api('POST', '/auth/refresh', { body: { refresh_token: end.refresh_token } }),
      401,
      'refresh_token_invalid',
    );
    expectProblem(await api('GET', '/auth/me', { token: end.token }), 401, 'token_invalid');
    expectOk(await api('GET', '/auth/me', { token: keep.token }));
    const feed = expectOk(await api('GET', `/revocations?cursor=${cursor}`, { apiKey: a.apiKey }));
    expect(feed.sessions).toContainEqual(
      expect.objectContaining({ session_id: endId, account_id: who.accountId }),
    );
    const [event] = await server.db.auditEvents({ action: 'auth.session.ended', targetId: endId });
    expect(event).toMatchObject({
      actorType: 'account',
      actorId: who.accountId,
      tenantId: a.tenant.id,
      details: { scope: 'session', current: false },
    });
    expect(JSON.stringify(event)).not.toContain(end.refresh_token);

    // ?except=current ends the rest (the seeded session and a new one), and counts them.
    await login(who, a);
    expect(expectOk(await api('DELETE', '/auth/sessions?except=current', { token: keep.token }))).toEqual({
      sessions_ended: 2,
    });
    expectProblem(await api('GET', '/auth/me', { token: who.token }), 401, 'token_invalid');
    expect(expectOk(await api('GET', '/auth/sessions', { token: keep.token })).data).toHaveLength(1);
  });

  it("someone else's session, an unknown one and an ended one are the same 404", async () => {
    const mine = await a.addAccount('member');
    const theirs = await a.addAccount('member');
    const theirId = await sessionIdOf(theirs.token);
    const otherTenantId = await sessionIdOf(b.member.token);
    for (const id of [theirId, otherTenantId, '00000000-0000-4000-8000-000000000000']) {
      const answer = expectProblem(
        await api('DELETE', `/auth/sessions/${id}`, { token: mine.token }),
        404,
        'not_found',
      );
      expect(answer.detail).toBe('No such session');
    }
    expectOk(await api('GET', '/auth/me', { token: theirs.token }));
    expectOk(await api('GET', '/auth/me', { token: b.member.token }));
    // An API key has no sessions of its own.
    expectProblem(await api('GET', '/auth/sessions', { apiKey: a.apiKey }), 403, 'credential_not_allowed');
    expectProblem(
      await api('DELETE', '/auth/sessions?except=current', { apiKey: a.apiKey }),
      403,
      'credential_not_allowed',
    );
  });
});

describe('/accounts/{id}/sessions', () => {
  const routes = (accountId: string, sessionId: string) =>
    [
      ['GET', `/accounts/${accountId}/sessions`],
      ['DELETE', `/accounts/${accountId}/sessions`],
      ['DELETE', `/accounts/${accountId}/sessions/${sessionId}`],
    ] as const;

  it('lists and ends an account sessions for an admin, audited as account.sessions.ended', async () => {
    const who = await a.addAccount('member');
    const second = await login(who, a, CHROME_MAC);
    const secondId = await sessionIdOf(second.token);
    const listed = expectOk(
      await api('GET', `/accounts/${who.accountId}/sessions`, { token: a.admin.token }),
    );
    expect(listed.data).toHaveLength(2);
    expect(listed.data).toContainEqual(expect.objectContaining({ id: secondId, device: 'Chrome on macOS' }));
    expect(listed.data.every((s: { current: boolean }) => !s.current)).toBe(true);

    const one = await api('DELETE', `/accounts/${who.accountId}/sessions/${secondId}`, {
      token: a.admin.token,
    });
    expect(one.status).toBe(204);
    expectProblem(await api('GET', '/auth/me', { token: second.token }), 401, 'token_invalid');
    expectOk(await api('GET', '/auth/me', { token: who.token }));
    expect(
      expectOk(await api('DELETE', `/accounts/${who.accountId}/sessions`, { apiKey: a.apiKey })),
    ).toEqual({ sessions_ended: 1 });
    expectProblem(await api('GET', '/auth/me', { token: who.token }), 401, 'token_invalid');
    const events = await server.db.auditEvents(
      { action: 'account.sessions.ended', targetId: who.accountId },
      { orderBy: { createdAt: 'asc' } },
    );
    expect(events.map((e) => [e.actorType, e.actorId, e.details])).toEqual([
      ['account', a.admin.accountId, { scope: 'session', session_id: secondId }],
      [
        'api_key',
        a.apiKeyId,
        {
          scope: 'all',
          sessions_ended: 1,
          session_ids: [expect.any(String)],
          session_end_reason: 'ended_by_admin',
        },
      ],
    ]);
  });

  it("another tenant's credentials find no such account (404)", async () => {
    const who = await a.addAccount('member');
    const sessionId = await sessionIdOf(who.token);
    for (const [method, path] of routes(who.accountId, sessionId)) {
      for (const credential of [{ token: b.owner.token }, { apiKey: b.apiKey }]) {
        expectProblem(await api(method, path, credential), 404, 'not_found');
      }
    }
    expectOk(await api('GET', '/auth/me', { token: who.token }));
  });

  it('a member, or a role without sessions.*, is refused (403); so is ending the sessions of an owner', async () => {
    const who = await a.addAccount('member');
    const sessionId = await sessionIdOf(who.token);
    const peer = await a.addAccount('member');
    for (const [method, path] of routes(who.accountId, sessionId)) {
      expectProblem(await api(method, path, { token: peer.token }), 403, 'forbidden');
    }
    // A member cannot use the admin routes on their own account either.
    expectProblem(
      await api('GET', `/accounts/${peer.accountId}/sessions`, { token: peer.token }),
      403,
      'forbidden',
    );

    // A custom role that reads accounts but holds no sessions.* permission.
    const policy = expectOk(await api('GET', '/policy', { token: a.owner.token }));
    const document = structuredClone(policy.document);
    document.roles.support = { permissions: ['accounts.read'] };
    expectOk(
      await api('PUT', '/policy', {
        token: a.owner.token,
        body: document,
        headers: { 'if-match': policy.etag },
      }),
    );
    const support = await a.addAccount('support');
    for (const [method, path] of routes(who.accountId, sessionId)) {
      expectProblem(await api(method, path, { token: support.token }), 403, 'forbidden');
    }

    // The owner outranks an admin: the admin may read the owner's sessions, not end them.
    const ownerSession = await sessionIdOf(a.owner.token);
    expectOk(await api('GET', `/accounts/${a.owner.accountId}/sessions`, { token: a.admin.token }));
    for (const [method, path] of routes(a.owner.accountId, ownerSession).slice(1)) {
      const problem = expectProblem(await api(method, path, { token: a.admin.token }), 403, 'forbidden');
      expect(problem.detail).toMatch(/owner/);
    }
    expectOk(await api('GET', '/auth/me', { token: a.owner.token }));
    expect(
      await server.db.auditEvents({ action: 'account.sessions.ended', targetId: a.owner.accountId }),
    ).toEqual([]);
    expectOk(await api('GET', '/auth/me', { token: who.token }));
  });

  it("a session of another account is a 404, and the other account's session lives on", async () => {
    const who = await a.addAccount('member');
    const other = await a.addAccount('member');
    const otherSession = await sessionIdOf(other.token);
    expectProblem(
      await api('DELETE', `/accounts/${who.accountId}/sessions/${otherSession}`, { apiKey: a.apiKey }),
      404,
      'not_found',
    );
    expectOk(await api('GET', '/auth/me', { token: other.token }));
    expectProblem(
      await api('GET', '/accounts/00000000-0000-4000-8000-000000000000/sessions', { apiKey: a.apiKey }),
      404,
      'not_found',
    );
  });
});
