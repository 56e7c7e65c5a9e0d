// The revocation feed (GET /revocations) on the real server, and what it changes in the verifier:
// logouts, revoked sessions and grant changes take effect offline at the next poll.
import type { Verifier } from '@enforcer/node-verifier';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Member, startEnforcer } from './support';

const enforcer = await startEnforcer();
const owner = () => enforcer.owner.token;
let verifiedGroupId: string;

/** A verifier that polls only when told (`refresh()`), so "before" and "after" the poll are exact. */
const manual = (options: Parameters<typeof enforcer.verifier>[0] = {}) =>
  enforcer.verifier({ autoRefresh: false, ...options });

/** Reads the feed from `cursor` until it has nothing more; returns everything and where it ended. */
async function drain(cursor?: string, limit = 500) {
  const sessions: string[] = [];
  const accounts: {
    account_id: string;
    groups: string[];
    roles: string[];
    active: boolean;
    deleted: boolean;
  }[] = [];
  let pages = 0;
  for (;;) {
    const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const page = await enforcer.api('GET', `/revocations?${query}`, { apiKey: enforcer.apiKey });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    pages++;
    sessions.push(...page.body.sessions.map((s: { session_id: string }) => s.session_id));
    accounts.push(...page.body.accounts);
    cursor = page.body.next_cursor;
    if (!page.body.has_more) return { sessions, accounts, cursor: cursor!, pages };
  }
}

async function addToVerified(member: Member) {
  const added = await enforcer.api('POST', `/groups/${verifiedGroupId}/members`, {
    token: owner(),
    body: { account_id: member.accountId },
  });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
}

async function serverDecision(token: string, action: string) {
  return enforcer.api('POST', '/authorize', { token, body: { action } });
}

beforeAll(async () => {
  const groups = await enforcer.api('GET', '/groups', { token: owner() });
  verifiedGroupId = groups.body.data.find((g: { name: string }) => g.name === 'verified').id;
});

describe('GET /revocations', () => {
  it('needs an API key holding revocations.read', async () => {
    const anonymous = await enforcer.api('GET', '/revocations');
    expect(anonymous.status).toBe(401);
    const user = await enforcer.api('GET', '/revocations', { token: owner() });
    expect(user).toMatchObject({ status: 403, body: { code: 'credential_not_allowed' } });
    const memberKey = await enforcer.api('POST', '/api-keys', {
      token: owner(),
      body: { name: 'member key', role: 'member' },
    });
    expect(memberKey.status).toBe(201);
    const denied = await enforcer.api('GET', '/revocations', { apiKey: memberKey.body.key });
    expect(denied).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const allowed = await enforcer.api('GET', '/revocations', { apiKey: enforcer.apiKey });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({
      tenant_id: enforcer.tenantId,
      has_more: false,
      retention_seconds: 960,
    });
  });

  it('refuses a cursor that is not one of ours', async () => {
    for (const cursor of ['nope', Buffer.from('["1","x"]').toString('base64url'), 'a'.repeat(129)]) {
      const answer = await enforcer.api('GET', `/revocations?cursor=${cursor}`, { apiKey: enforcer.apiKey });
      expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    }
  });

  it('starts with the recent changes, then pages from next_cursor without repeating or skipping', async () => {
    const members = await Promise.all([1, 2, 3].map(() => enforcer.addAccount()));
    for (const m of members) await enforcer.server.revokeSession(m.sessionId, 'logout');
    const all = await drain(undefined, 1);
    expect(all.pages).toBeGreaterThanOrEqual(3);
    for (const m of members) expect(all.sessions.filter((id) => id === m.sessionId)).toHaveLength(1);
    // Nothing new: the cursor stays put and the page is empty.
    const again = await drain(all.cursor);
    expect(again).toMatchObject({ sessions: [], accounts: [], pages: 1 });
  });

  it('keeps a change made between two pages of a poll for the next poll', async () => {
    const members = await Promise.all([1, 2, 3].map(() => enforcer.addAccount()));
    const start = (await drain()).cursor;
    for (const m of members.slice(0, 2)) await enforcer.server.revokeSession(m.sessionId, 'x');
    const first = await enforcer.api('GET', `/revocations?limit=1&cursor=${start}`, {
      apiKey: enforcer.apiKey,
    });
    expect(first.body).toMatchObject({ has_more: true, sessions: [{ session_id: members[0]!.sessionId }] });
    await enforcer.server.revokeSession(members[2]!.sessionId, 'x'); // mid-poll
    const rest = await drain(first.body.next_cursor, 1);
    expect(rest.sessions).toEqual([members[1]!.sessionId]); // the poll ends where it was pinned
    expect((await drain(rest.cursor)).sessions).toEqual([members[2]!.sessionId]);
  });

  it('never skips the changes of a transaction that commits after a later one was read', async () => {
    const [a, b] = await Promise.all([enforcer.addAccount(), enforcer.addAccount()]);
    const start = (await drain()).cursor;
    const client = new pg.Client({ connectionString: enforcer.dbUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('update session set revoked_at = now() where id = $1', [a.sessionId]);
      // A later transaction commits first, and is read at once: it is not held back behind the open one.
      await enforcer.server.revokeSession(b.sessionId, 'logout');
      const during = await drain(start);
      expect(during.sessions).toContain(b.sessionId);
      expect(during.sessions).not.toContain(a.sessionId);
      await client.query('commit');
      const after = await drain(during.cursor);
      expect(after.sessions).toContain(a.sessionId); // the earlier transaction, read when it committed
      expect(after.sessions).not.toContain(b.sessionId); // and nothing twice
    } finally {
      await client.end();
    }
  });

  it('never reports a change of a transaction that rolled back', async () => {
    const a = await enforcer.addAccount();
    const start = (await drain()).cursor;
    const client = new pg.Client({ connectionString: enforcer.dbUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('update session set revoked_at = now() where id = $1', [a.sessionId]);
      await client.query('rollback');
    } finally {
      await client.end();
    }
    expect((await drain(start)).sessions).not.toContain(a.sessionId);
  });

  it('records changes whoever makes them: bulk updates, direct SQL, cascades', async () => {
    const start = (await drain()).cursor;
    const member = await enforcer.addAccount();
    const second = await enforcer.signIn(member.accountId);
    // POST /auth/logout { all_sessions } ends every session with one bulk UPDATE.
    const logout = await enforcer.api('POST', '/auth/logout', {
      token: member.token,
      body: { all_sessions: true },
    });
    expect(logout.status).toBe(204);
    const victim = await enforcer.addAccount();
    const client = new pg.Client({ connectionString: enforcer.dbUrl });
    await client.connect();
    try {
      await client.query('delete from account where id = $1', [victim.accountId]); // sessions cascade
    } finally {
      await client.end();
    }
    const feed = await drain(start);
    expect(feed.sessions).toEqual(
      expect.arrayContaining([member.sessionId, second.sessionId, victim.sessionId]),
    );
    expect(feed.accounts.find((a) => a.account_id === victim.accountId)).toMatchObject({
      deleted: true,
      active: false,
    });
  });
});

describe('offline, through the verifier', () => {
  it('a logout takes effect at the next poll (and not before: no call per request)', async () => {
    const verifier = manual();
    const member = await enforcer.addAccount();
    await expect(verifier.verify(member.token)).resolves.toBeDefined();
    const logout = await enforcer.api('POST', '/auth/logout', {
      body: { refresh_token: member.refreshToken },
    });
    expect(logout.status).toBe(204);
    expect((await enforcer.api('GET', '/auth/me', { token: member.token })).status).toBe(401);
    await expect(verifier.verify(member.token)).resolves.toBeDefined(); // offline: not polled yet
    await verifier.refresh();
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'revoked' });
    await expect(verifier.authorize(member.token, 'tenants.read')).rejects.toMatchObject({ code: 'revoked' });
  });

  it('a logout takes effect within the poll interval on its own', async () => {
    const verifier = enforcer.verifier({
      revocations: { baseUrl: enforcer.baseUrl, apiKey: enforcer.apiKey, pollInterval: 0.05 },
    });
    const member = await enforcer.addAccount();
    const principal = await verifier.verify(member.token);
    await enforcer.api('POST', '/auth/logout', { body: { refresh_token: member.refreshToken } });
    await eventually(
      () => expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'revoked' }),
      2000,
    );
    // A principal kept from before is refused too.
    expect(() => verifier.authorize(principal, 'tenants.read')).toThrow(
      expect.objectContaining({ code: 'revoked' }),
    );
  });

  it('a removal from a group changes the decisions for the same token at the next poll, as on the server', async () => {
    const verifier = manual();
    const member = await enforcer.addAccount();
    await addToVerified(member);
    const { token } = await enforcer.signIn(member.accountId);
    expect((await verifier.verify(token)).groups).toEqual(['verified']);
    await expect(verifier.authorize(token, 'transfers.create')).resolves.toMatchObject({ allowed: true });

    const removed = await enforcer.api('DELETE', `/groups/${verifiedGroupId}/members/${member.accountId}`, {
      token: owner(),
    });
    expect(removed.status).toBe(204);
    await expect(verifier.authorize(token, 'transfers.create')).resolves.toMatchObject({ allowed: true }); // not polled
    await verifier.refresh();
    const decision = await verifier.authorize(token, 'transfers.create');
    expect(decision).toEqual({ allowed: false, reason: { kind: 'no_matching_allow' } });
    expect((await serverDecision(token, 'transfers.create')).body).toEqual(decision);
    expect((await verifier.verify(token)).groups).toEqual([]);
  });

  it('an addition to a group and a role change apply to tokens minted before them', async () => {
    const verifier = manual();
    const member = await enforcer.addAccount();
    await expect(verifier.authorize(member.token, 'transfers.create')).resolves.toMatchObject({
      allowed: false,
    });
    await addToVerified(member);
    const role = await enforcer.api('PUT', `/accounts/${member.accountId}/role`, {
      token: owner(),
      body: { role: 'admin' },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(200);
    await verifier.refresh();
    for (const action of ['transfers.create', 'accounts.read', 'groups.create', 'policy.update']) {
      const offline = await verifier.authorize(member.token, action);
      expect((await serverDecision(member.token, action)).body, action).toEqual(offline);
    }
    const principal = await verifier.verify(member.token);
    expect(principal).toMatchObject({ roles: ['admin'], groups: ['verified'], grantVersion: 1 });
    expect(principal.claims).toMatchObject({ roles: ['member'], groups: [] });
  });

  it('a deactivation ends the sessions (revoked), as on the server', async () => {
    const verifier = manual();
    const member = await enforcer.addAccount();
    await verifier.verify(member.token);
    const off = await enforcer.api('PUT', `/accounts/${member.accountId}/active`, {
      token: owner(),
      body: { active: false },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    await verifier.refresh();
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'revoked' });
    expect((await serverDecision(member.token, 'tenants.read')).status).toBe(401);
  });

  it('an inactive account whose session still stands is refused (account_inactive), as on the server', async () => {
    const verifier = manual();
    const member = await enforcer.addAccount();
    await verifier.verify(member.token);
    // Deactivated by another writer than the API (which would also end the sessions).
    const client = new pg.Client({ connectionString: enforcer.dbUrl });
    await client.connect();
    const setActive = (active: boolean) =>
      client.query('update account set active = $2, grant_version = grant_version + 1 where id = $1', [
        member.accountId,
        active,
      ]);
    try {
      // A write outside the API reaches the server's principal cache by its LISTEN connection (the
      // trigger's notification), a moment after the commit, and the verifier at its next poll: each side
      // is waited for, then they must answer alike.
      const serverStatus = async () => (await serverDecision(member.token, 'tenants.read')).status;
      await setActive(false);
      await verifier.refresh();
      await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'account_inactive' });
      await expect.poll(serverStatus, { timeout: 5000 }).toBe(403);
      const server = await serverDecision(member.token, 'tenants.read');
      expect(server).toMatchObject({ status: 403, body: { code: 'account_inactive' } });
      // Active again: the same token works again, on both sides.
      await setActive(true);
      await verifier.refresh();
      await expect.poll(serverStatus, { timeout: 5000 }).toBe(200);
      await expect(verifier.authorize(member.token, 'tenants.read')).resolves.toEqual(
        (await serverDecision(member.token, 'tenants.read')).body,
      );
    } finally {
      await client.end();
    }
  });

  it('a token minted after the last poll carries its own, newer grant', async () => {
    const verifier = manual();
    const member = await enforcer.addAccount();
    await verifier.verify(member.token);
    await enforcer.api('PUT', `/accounts/${member.accountId}/role`, {
      token: owner(),
      body: { role: 'admin' },
    });
    const fresh = await enforcer.signIn(member.accountId); // grant_version 2, roles [admin]
    expect(await verifier.verify(fresh.token)).toMatchObject({ roles: ['admin'], grantVersion: 2 });
    expect(await verifier.verify(member.token)).toMatchObject({ roles: ['member'] }); // the feed has not said
    await verifier.refresh();
    expect(await verifier.verify(member.token)).toMatchObject({ roles: ['admin'], grantVersion: 1 });
    expect(await verifier.verify(fresh.token)).toMatchObject({ roles: ['admin'], grantVersion: 2 });
  });

  it('a session revoked before the verifier started is known from its first poll', async () => {
    const member = await enforcer.addAccount();
    await enforcer.server.revokeSession(member.sessionId, 'logout');
    await expect(manual().verify(member.token)).rejects.toMatchObject({ code: 'revoked' });
  });
});

describe('failing closed', () => {
  it('refuses every token while the feed has never been read', async () => {
    const errors: string[] = [];
    const verifier: Verifier = enforcer.verifier({
      revocations: { baseUrl: 'http://127.0.0.1:9/api/v1/enforcer', apiKey: enforcer.apiKey },
      onError: (error, source) => errors.push(`${source}: ${error.message}`),
    });
    const member = await enforcer.addAccount();
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'revocations_unavailable' });
    expect(errors.some((e) => e.startsWith('revocations:'))).toBe(true);
  });

  it('refuses every token when the last poll is older than maxStaleness, until a poll succeeds', async () => {
    const verifier = manual({
      revocations: { baseUrl: enforcer.baseUrl, apiKey: enforcer.apiKey, maxStaleness: 60 },
    });
    const member = await enforcer.addAccount();
    const principal = await verifier.verify(member.token);
    enforcer.clock.advance(61);
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'revocations_unavailable' });
    expect(() => verifier.authorize(principal, 'tenants.read')).toThrow(
      expect.objectContaining({ code: 'revocations_unavailable' }),
    );
    await verifier.refresh();
    await expect(verifier.verify(member.token)).resolves.toBeDefined();
  });

  it('refuses a feed that belongs to another tenant than the configured one', async () => {
    const errors: string[] = [];
    const verifier = manual({
      tenantId: '00000000-0000-4000-8000-000000000000',
      onError: (error) => errors.push(error.message),
    });
    const member = await enforcer.addAccount();
    await expect(verifier.verify(member.token)).rejects.toMatchObject({ code: 'revocations_unavailable' });
    expect(errors.join('\n')).toMatch(/belongs to tenant/);
  });
});
