// Accounts and roles over HTTP: the role catalog, lists filtered by the policy engine, role and status
// changes with their rank rules and the last-manager guard.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

type Page = { data: { id: string }[]; pagination: { next_cursor: string | null; has_more: boolean } };
const ids = (page: Pick<Page, 'data'>) => page.data.map((a) => a.id);

describe('GET /roles', () => {
  it('is the effective policy role catalog, built-ins flagged', async () => {
    const roles = expectOk(await api('GET', '/roles', { token: t.member.token }));
    expect(roles.data.map((r: { name: string }) => r.name)).toEqual(['owner', 'admin', 'member']);
    expect(roles.data[0]).toMatchObject({ name: 'owner', permissions: ['*'], built_in: true });
    expect(roles.data[2].description).toBe('A signed-in user of the app');
  });
});

describe('GET /accounts', () => {
  it('an admin sees every account; a member never sees anyone else', async () => {
    const all = expectOk(await api('GET', '/accounts', { token: t.admin.token }));
    expect(new Set(ids(all))).toEqual(new Set([t.owner.accountId, t.admin.accountId, t.member.accountId]));
    const viaKey = expectOk(await api('GET', '/accounts', { apiKey: t.apiKey }));
    expect(viaKey.data).toHaveLength(3);
    expect(viaKey.data.find((a: { id: string }) => a.id === t.member.accountId)).toEqual({
      id: t.member.accountId,
      person_id: t.member.personId,
      tenant_id: t.tenant.id,
      email: t.member.email,
      role: 'member',
      roles: ['member'],
      active: true,
      status: 'active',
      status_reason: null,
      status_changed_at: null,
      status_changed_by: null,
      locked_until: null,
      groups: [],
      created_at: expect.any(String),
      // An API key with accounts.update sees all three metadata objects (#14).
      public_metadata: {},
      private_metadata: {},
      user_metadata: {},
    });
    // A member may read only their own account (a rule on the record): the engine's plan filters the list.
    const own = expectOk(await api('GET', '/accounts', { token: t.member.token }));
    expect(ids(own)).toEqual([t.member.accountId]);
  });

  it('the list is what the engine allows record by record (a deny rule on the record filters the query)', async () => {
    const current = expectOk(await api('GET', '/policy', { token: t.owner.token }));
    const document = structuredClone(current.document);
    document.roles.support = { permissions: ['accounts.read'] };
    document.rules.push({
      id: 'support-does-not-see-owners',
      effect: 'deny',
      actions: ['accounts.read'],
      resource: 'account',
      condition: { and: [{ contains: ['subject.roles', 'support'] }, { eq: ['resource.role', 'owner'] }] },
    });
    expectOk(await api('PUT', '/policy', { token: t.owner.token, body: document }));
    const support = await t.addAccount('support');
    const seen = ids(expectOk(await api('GET', '/accounts?limit=100', { token: support.token })));
    expect(seen).toContain(t.member.accountId);
    expect(seen).toContain(support.accountId);
    expect(seen).not.toContain(t.owner.accountId);
    expectProblem(
      await api('GET', `/accounts/${t.owner.accountId}`, { token: support.token }),
      404,
      'not_found',
    );
    expectOk(await api('GET', `/accounts/${t.admin.accountId}`, { token: support.token }));
    // The filtered list and per-record can() agree for every account of the tenant.
    const everyone = ids(expectOk(await api('GET', '/accounts?limit=100', { apiKey: t.apiKey })));
    for (const id of everyone) {
      const single = await api('GET', `/accounts/${id}`, { token: support.token });
      expect(single.status === 200, id).toBe(seen.includes(id));
    }
  });

  it('filters by email, role and active, and pages with an opaque cursor', async () => {
    const byEmail = expectOk(
      await api('GET', `/accounts?email=${encodeURIComponent(t.owner.email.toUpperCase())}`, {
        apiKey: t.apiKey,
      }),
    );
    expect(ids(byEmail)).toEqual([t.owner.accountId]);
    expect(ids(expectOk(await api('GET', '/accounts?role=admin', { apiKey: t.apiKey })))).toEqual([
      t.admin.accountId,
    ]);
    expect(expectOk(await api('GET', '/accounts?active=false', { apiKey: t.apiKey })).data).toEqual([]);

    const extra = await Promise.all([1, 2, 3].map(() => t.addAccount('member')));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = expectOk(
        await api('GET', `/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { apiKey: t.apiKey }),
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      cursor = page.pagination.next_cursor;
      expect(page.pagination.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(
      expectOk(await api('GET', '/accounts?limit=100', { apiKey: t.apiKey })).data.length,
    );
    for (const m of extra) expect(seen).toContain(m.accountId);
  });

  it('rejects bad queries with 400 problems', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'active=yes',
      'role=Not-A-Role',
      'email=nope',
    ]) {
      expectProblem(await api('GET', `/accounts?${query}`, { apiKey: t.apiKey }), 400, 'validation_failed');
    }
    for (const cursor of ['garbage', 'W10', Buffer.from('[1,"x"]').toString('base64url'), '%00']) {
      const problem = expectProblem(
        await api('GET', `/accounts?cursor=${cursor}`, { apiKey: t.apiKey }),
        400,
        'validation_failed',
      );
      expectFieldError(problem, 'query.cursor');
    }
  });
});

describe('GET /accounts/{id}', () => {
  it('anyone reads their own account; other accounts need accounts.read, else 404', async () => {
    expect(expectOk(await api('GET', `/accounts/${t.member.accountId}`, { token: t.member.token })).id).toBe(
      t.member.accountId,
    );
    expectProblem(
      await api('GET', `/accounts/${t.admin.accountId}`, { token: t.member.token }),
      404,
      'not_found',
    );
    expect(expectOk(await api('GET', `/accounts/${t.member.accountId}`, { apiKey: t.apiKey })).email).toBe(
      t.member.email,
    );
    expectProblem(await api('GET', '/accounts/not-a-uuid', { apiKey: t.apiKey }), 400, 'validation_failed');
  });
});

describe('PUT /accounts/{id}/role', () => {
  it('changes the role, bumps the grant version, audits, and takes effect on the next request', async () => {
    const m = await t.addAccount('member');
    // A member may read no group (the list is filtered by the engine, so it is empty, not refused).
    expect(expectOk(await api('GET', '/groups', { token: m.token })).data).toEqual([]);
    const before = (await server.db.records('accounts').one(m.accountId)).grantVersion;
    const changed = expectOk(
      await api('PUT', `/accounts/${m.accountId}/role`, { token: t.admin.token, body: { role: 'admin' } }),
    );
    expect(changed).toMatchObject({ id: m.accountId, role: 'admin', email: m.email, groups: [] });
    expect((await server.db.records('accounts').one(m.accountId)).grantVersion).toBe(before + 1);
    expectOk(await api('GET', '/groups', { token: m.token }));
    const [event] = await server.db.auditEvents({ action: 'account.role.changed', targetId: m.accountId });
    expect(event).toMatchObject({
      actorType: 'account',
      actorId: t.admin.accountId,
      details: { from: 'member', to: 'admin' },
    });
  });

  it('refuses an unknown role (400) and a role above the caller (403)', async () => {
    const problem = expectProblem(
      await api('PUT', `/accounts/${t.member.accountId}/role`, {
        apiKey: t.apiKey,
        body: { role: 'wizard' },
      }),
      400,
      'validation_failed',
    );
    expectFieldError(problem, 'body.role');
    // An admin (or an admin API key) cannot make anyone an owner, nor demote an owner.
    expectProblem(
      await api('PUT', `/accounts/${t.admin.accountId}/role`, {
        token: t.admin.token,
        body: { role: 'owner' },
      }),
      403,
      'forbidden',
    );
    expectProblem(
      await api('PUT', `/accounts/${t.owner.accountId}/role`, { apiKey: t.apiKey, body: { role: 'member' } }),
      403,
      'forbidden',
    );
    expectProblem(
      await api('PUT', `/accounts/${t.member.accountId}/role`, {
        token: t.member.token,
        body: { role: 'member' },
      }),
      403,
      'forbidden',
    );
  });

  it('keeps at least one active owner: 409 last_admin', async () => {
    const problem = expectProblem(
      await api('PUT', `/accounts/${t.owner.accountId}/role`, {
        token: t.owner.token,
        body: { role: 'admin' },
      }),
      409,
      'last_admin',
    );
    expect(problem.detail).toMatch(/last active account/);
    expectProblem(
      await api('PUT', `/accounts/${t.owner.accountId}/active`, {
        token: t.owner.token,
        body: { active: false },
      }),
      409,
      'last_admin',
    );
    // With a second owner, the first may step down.
    const second = await t.addAccount('owner');
    expect(
      expectOk(
        await api('PUT', `/accounts/${second.accountId}/role`, {
          token: t.owner.token,
          body: { role: 'admin' },
        }),
      ).role,
    ).toBe('admin');
    expectOk(
      await api('PUT', `/accounts/${second.accountId}/role`, {
        token: t.owner.token,
        body: { role: 'owner' },
      }),
    );
    expectOk(
      await api('PUT', `/accounts/${second.accountId}/role`, {
        token: second.token,
        body: { role: 'member' },
      }),
    );
  });

  it('the default policy denies promoting an inactive account (403 naming the rule)', async () => {
    const m = await t.addAccount('member');
    expectOk(
      await api('PUT', `/accounts/${m.accountId}/active`, { apiKey: t.apiKey, body: { active: false } }),
    );
    const problem = expectProblem(
      await api('PUT', `/accounts/${m.accountId}/role`, { apiKey: t.apiKey, body: { role: 'admin' } }),
      403,
      'forbidden',
    );
    expect(problem.detail).toContain('inactive-accounts-cannot-be-promoted');
  });
});

describe('PUT /accounts/{id}/active', () => {
  it('deactivating ends the sessions and the token stops working; reactivating lets them sign in again', async () => {
    const m = await t.addAccount('member');
    expectOk(await api('GET', `/accounts/${m.accountId}`, { token: m.token }));
    const off = expectOk(
      await api('PUT', `/accounts/${m.accountId}/active`, { apiKey: t.apiKey, body: { active: false } }),
    );
    expect(off.active).toBe(false);
    const sessions = await server.db.records('sessions').find({ account: m.accountId });
    expect(sessions.every((s) => s.revokedAt !== null)).toBe(true);
    const refused = await api('GET', `/accounts/${m.accountId}`, { token: m.token });
    // Deactivation revoked the session, so the token no longer identifies anyone.
    expectProblem(refused, 401, 'token_invalid');
    expect(
      expectOk(await api('GET', '/accounts?active=false', { apiKey: t.apiKey })).data.map(
        (a: { id: string }) => a.id,
      ),
    ).toContain(m.accountId);
    expect(
      expectOk(
        await api('PUT', `/accounts/${m.accountId}/active`, { apiKey: t.apiKey, body: { active: true } }),
      ).active,
    ).toBe(true);
    const again = await server.signIn({ accountId: m.accountId, amr: ['otp'] });
    expectOk(await api('GET', `/accounts/${m.accountId}`, { token: again.accessToken }));
    const actions = (
      await server.db.auditEvents({ targetId: m.accountId }, { orderBy: { createdAt: 'asc' } })
    ).map((e) => e.action);
    expect(actions).toEqual(['account.deactivated', 'account.activated']);
  });

  it('rejects wrong-typed bodies', async () => {
    for (const body of [{ active: 'false' }, {}, { active: true, extra: 1 }, [true]]) {
      expectProblem(
        await api('PUT', `/accounts/${t.member.accountId}/active`, { apiKey: t.apiKey, body }),
        400,
        'validation_failed',
      );
    }
  });
});
