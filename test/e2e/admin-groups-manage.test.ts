// Managing groups over HTTP (#14): PATCH /groups/{id} (description, permissions), DELETE /groups/{id}
// (built-in ones stay; members' grant versions bump and reach the revocation feed), GET /groups/{id}/members
// with cursor pagination, and the tenant limits on groups.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

const grantVersion = async (accountId: string) =>
  (await server.db.records('accounts').one(accountId)).grantVersion;
const etag = async () => expectOk(await api('GET', '/policy', { token: t.owner.token })).etag;
const newGroup = async (name: string, permissions: string[] = []) =>
  expectOk(await api('POST', '/groups', { token: t.owner.token, body: { name, permissions } }), 201);
const join = async (groupId: string, accountId: string) =>
  expectOk(
    await api('POST', `/groups/${groupId}/members`, { apiKey: t.apiKey, body: { account_id: accountId } }),
    201,
  );
const allowed = async (accountId: string, action: string) =>
  expectOk(await api('POST', '/authorize', { apiKey: t.apiKey, body: { action, account_id: accountId } }))
    .allowed;

describe('PATCH /groups/{id}', () => {
  it('changes what membership grants at once, with a new policy ETag, audited', async () => {
    const group = await newGroup('beta', ['reports.read']);
    await join(group.id, t.member.accountId);
    expect(await allowed(t.member.accountId, 'reports.export')).toBe(false);
    const before = await etag();
    const patched = expectOk(
      await api('PATCH', `/groups/${group.id}`, {
        token: t.admin.token,
        body: {
          description: 'Beta testers',
          permissions: ['reports.read', 'reports.export', 'reports.export'],
        },
      }),
    );
    expect(patched).toMatchObject({
      id: group.id,
      name: 'beta',
      description: 'Beta testers',
      permissions: ['reports.read', 'reports.export'],
    });
    expect(await allowed(t.member.accountId, 'reports.export')).toBe(true);
    expect(await etag()).not.toBe(before);
    const events = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'group.updated' });
    expect(events.at(-1)).toMatchObject({ actorId: t.admin.accountId, targetId: group.id });
    expect(events.at(-1)?.details).toMatchObject({
      from: ['reports.read'],
      to: ['reports.read', 'reports.export'],
    });
    // The same again: no change, the ETag stays.
    const same = await etag();
    expectOk(
      await api('PATCH', `/groups/${group.id}`, {
        token: t.admin.token,
        body: { description: 'Beta testers' },
      }),
    );
    expect(await etag()).toBe(same);
    // description: null removes it.
    expect(
      expectOk(
        await api('PATCH', `/groups/${group.id}`, { token: t.admin.token, body: { description: null } }),
      ).description,
    ).toBeNull();
  });

  it('refuses escalation, groups above the caller, empty bodies, unknown ids and members', async () => {
    const group = await newGroup('ops');
    expectProblem(
      await api('PATCH', `/groups/${group.id}`, {
        token: t.admin.token,
        body: { permissions: ['policy.update'] },
      }),
      403,
      'forbidden',
    );
    const mighty = await newGroup('mighty', ['policy.update']);
    expectProblem(
      await api('PATCH', `/groups/${mighty.id}`, { token: t.admin.token, body: { description: 'mine' } }),
      403,
      'forbidden',
    );
    expectProblem(
      await api('PATCH', `/groups/${group.id}`, { token: t.admin.token, body: {} }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('PATCH', '/groups/00000000-0000-4000-8000-000000000000', {
        token: t.admin.token,
        body: { description: 'x' },
      }),
      404,
      'not_found',
    );
    expectProblem(
      await api('PATCH', `/groups/${group.id}`, { token: t.member.token, body: { description: 'x' } }),
      403,
      'forbidden',
    );
  });
});

describe('DELETE /groups/{id}', () => {
  it("removes the group and its memberships; members' grant versions bump and reach the revocation feed", async () => {
    const group = await newGroup('doomed', ['doom.read']);
    await join(group.id, t.member.accountId);
    expect(await allowed(t.member.accountId, 'doom.read')).toBe(true);
    const cursor = expectOk(await api('GET', '/revocations', { apiKey: t.apiKey })).next_cursor;
    const gv = await grantVersion(t.member.accountId);
    const deleted = await api('DELETE', `/groups/${group.id}`, { token: t.admin.token });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expect(await grantVersion(t.member.accountId)).toBe(gv + 1);
    expect(await allowed(t.member.accountId, 'doom.read')).toBe(false);
    const groups = expectOk(await api('GET', '/groups', { apiKey: t.apiKey })).data;
    expect(groups.map((g: { name: string }) => g.name)).not.toContain('doomed');
    const feed = expectOk(await api('GET', `/revocations?cursor=${cursor}`, { apiKey: t.apiKey }));
    expect(feed.accounts).toContainEqual(
      expect.objectContaining({ account_id: t.member.accountId, grant_version: gv + 1 }),
    );
    const events = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'group.deleted' });
    expect(events.at(-1)?.details).toMatchObject({ name: 'doomed', members: 1 });
    expectProblem(await api('DELETE', `/groups/${group.id}`, { token: t.admin.token }), 404, 'not_found');
  });

  it('refuses built-in groups and groups above the caller', async () => {
    const verified = expectOk(await api('GET', '/groups', { apiKey: t.apiKey })).data.find(
      (g: { name: string }) => g.name === 'verified',
    );
    expectProblem(await api('DELETE', `/groups/${verified.id}`, { token: t.owner.token }), 409, 'built_in');
    const mighty = expectOk(await api('GET', '/groups', { apiKey: t.apiKey })).data.find(
      (g: { name: string }) => g.name === 'mighty',
    );
    expectProblem(await api('DELETE', `/groups/${mighty.id}`, { token: t.admin.token }), 403, 'forbidden');
    expect((await api('DELETE', `/groups/${mighty.id}`, { token: t.owner.token })).status).toBe(204);
  });
});

describe('GET /groups/{id}/members', () => {
  it('pages through the members, oldest first', async () => {
    const group = await newGroup('crowd');
    const people = [t.member, t.admin, await t.addAccount('member')];
    for (const p of people) await join(group.id, p.accountId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = expectOk(
        await api('GET', `/groups/${group.id}/members${query}`, { token: t.admin.token }),
      );
      for (const m of page.data) {
        expect(m).toMatchObject({ group_id: group.id, created_at: expect.any(String) });
        seen.push(m.account_id);
      }
      cursor = page.pagination.next_cursor;
      expect(page.pagination.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(people.map((p) => p.accountId));
    expectProblem(
      await api('GET', `/groups/${group.id}/members?cursor=nope`, { token: t.admin.token }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('GET', `/groups/${group.id}/members`, { token: t.member.token }),
      403,
      'forbidden',
    );
  });
});

describe('limits on groups', () => {
  it('max_permissions_per_group and max_groups_per_account: 400 limit_exceeded', async () => {
    expectOk(
      await api('PATCH', `/tenants/${t.tenant.id}`, {
        token: t.owner.token,
        body: { limits: { max_permissions_per_group: 1, max_groups_per_account: 1 } },
      }),
    );
    expectProblem(
      await api('POST', '/groups', {
        token: t.owner.token,
        body: { name: 'wide', permissions: ['a.x', 'b.x'] },
      }),
      400,
      'limit_exceeded',
    );
    const narrow = await newGroup('narrow', ['a.x']);
    expectProblem(
      await api('PATCH', `/groups/${narrow.id}`, {
        token: t.owner.token,
        body: { permissions: ['a.x', 'b.x'] },
      }),
      400,
      'limit_exceeded',
    );
    const loner = await t.addAccount('member');
    await join(narrow.id, loner.accountId);
    const second = await newGroup('second');
    const refused = expectProblem(
      await api('POST', `/groups/${second.id}/members`, {
        apiKey: t.apiKey,
        body: { account_id: loner.accountId },
      }),
      400,
      'limit_exceeded',
    );
    expect(refused.detail).toContain('max_groups_per_account');
    // Re-adding an existing membership is still the idempotent 200.
    expectOk(
      await api('POST', `/groups/${narrow.id}/members`, {
        apiKey: t.apiKey,
        body: { account_id: loner.accountId },
      }),
    );
  });
});
