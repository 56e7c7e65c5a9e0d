// Groups as capability gates, over HTTP on a real server and database: the seed's quickstart step 5
// and its "Gate a page on KYC" recipe.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

const grantVersion = async (accountId: string) =>
  (await server.db.records('accounts').one(accountId)).grantVersion;

describe('groups as gates (quickstart step 5)', () => {
  it('lists groups with X-API-Key, adds the account to verified, and the gated action flips', async () => {
    const groups = expectOk(await api('GET', '/groups', { apiKey: t.apiKey }));
    expect(groups.pagination).toEqual({ next_cursor: null, has_more: false });
    const verified = groups.data.find((g: { name: string }) => g.name === 'verified');
    expect(verified).toMatchObject({ name: 'verified', permissions: ['transfers.*'] });

    const ask = () =>
      api('POST', '/authorize', {
        apiKey: t.apiKey,
        body: { action: 'transfers.create', account_id: t.member.accountId },
      });
    expect(expectOk(await ask())).toEqual({ allowed: false, reason: { kind: 'no_matching_allow' } });
    // The member asking for themselves gets the same answer.
    expect(
      expectOk(
        await api('POST', '/authorize', { token: t.member.token, body: { action: 'transfers.create' } }),
      ).allowed,
    ).toBe(false);

    const before = await grantVersion(t.member.accountId);
    const added = await api('POST', `/groups/${verified.id}/members`, {
      apiKey: t.apiKey,
      body: { account_id: t.member.accountId },
    });
    expect(expectOk(added, 201)).toMatchObject({ group_id: verified.id, account_id: t.member.accountId });
    expect(await grantVersion(t.member.accountId)).toBe(before + 1);

    expect(expectOk(await ask())).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_group', group: 'verified', permission: 'transfers.*' },
    });
    // The member's own token (minted before the change) sees it on the next request too.
    expect(
      expectOk(
        await api('POST', '/authorize', { token: t.member.token, body: { action: 'transfers.create' } }),
      ).allowed,
    ).toBe(true);

    // A webhook retry is idempotent: 200, no second bump.
    const again = await api('POST', `/groups/${verified.id}/members`, {
      apiKey: t.apiKey,
      body: { account_id: t.member.accountId },
    });
    expect(expectOk(again, 200)).toMatchObject({ group_id: verified.id });
    expect(await grantVersion(t.member.accountId)).toBe(before + 1);

    const mine = expectOk(
      await api('GET', `/directory/accounts/${t.member.accountId}/groups`, { token: t.member.token }),
    );
    expect(mine.data.map((g: { name: string }) => g.name)).toEqual(['verified']);

    // Revoking access later: remove them, and the answer flips back.
    const removed = await api('DELETE', `/groups/${verified.id}/members/${t.member.accountId}`, {
      apiKey: t.apiKey,
    });
    expect(removed.status).toBe(204);
    expect(expectOk(await ask()).allowed).toBe(false);
    expect(await grantVersion(t.member.accountId)).toBe(before + 2);
    // Removing someone who is not a member is still a 204.
    expect(
      (await api('DELETE', `/groups/${verified.id}/members/${t.member.accountId}`, { apiKey: t.apiKey }))
        .status,
    ).toBe(204);

    const events = await server.db.auditEvents(
      { tenantId: t.tenant.id, targetId: t.member.accountId },
      { orderBy: { createdAt: 'asc' } },
    );
    expect(events.map((e) => e.action)).toEqual(['group.member.added', 'group.member.removed']);
    expect(events[0]).toMatchObject({ actorType: 'api_key', actorId: t.apiKeyId });
  });
});

describe('POST /groups', () => {
  it('creates a group whose permissions join the policy at once', async () => {
    const created = await api('POST', '/groups', {
      token: t.admin.token,
      body: { name: 'premium', description: 'Paid plan', permissions: ['reports.export', 'reports.export'] },
    });
    const group = expectOk(created, 201);
    expect(group).toMatchObject({
      name: 'premium',
      description: 'Paid plan',
      permissions: ['reports.export'],
    });

    const ask = () =>
      api('POST', '/authorize', {
        apiKey: t.apiKey,
        body: { action: 'reports.export', account_id: t.member.accountId },
      });
    expect(expectOk(await ask()).allowed).toBe(false);
    expectOk(
      await api('POST', `/groups/${group.id}/members`, {
        token: t.admin.token,
        body: { account_id: t.member.accountId },
      }),
      201,
    );
    expect(expectOk(await ask())).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_group', group: 'premium', permission: 'reports.export' },
    });
    const policy = expectOk(await api('GET', '/policy', { token: t.owner.token }));
    expect(policy.effective.groups.premium.permissions).toEqual(['reports.export']);
    expect(policy.document.groups.premium).toBeUndefined();
  });

  it('refuses a taken name with 409 and a bad name with 400', async () => {
    expectProblem(
      await api('POST', '/groups', { apiKey: t.apiKey, body: { name: 'verified' } }),
      409,
      'conflict',
    );
    const bad = expectProblem(
      await api('POST', '/groups', { apiKey: t.apiKey, body: { name: 'Not Valid' } }),
      400,
      'validation_failed',
    );
    expectFieldError(bad, 'body.name');
    const perm = expectProblem(
      await api('POST', '/groups', { apiKey: t.apiKey, body: { name: 'x', permissions: ['not a pattern'] } }),
      400,
      'validation_failed',
    );
    expectFieldError(perm, 'body.permissions.0');
  });

  it('refuses a group that would unlock management actions its creator cannot do', async () => {
    const problem = expectProblem(
      await api('POST', '/groups', {
        token: t.admin.token,
        body: { name: 'sneaky', permissions: ['policy.*'] },
      }),
      403,
      'forbidden',
    );
    expect(problem.detail).toContain('policy.update');
    // The owner holds everything: allowed.
    const owners = expectOk(
      await api('POST', '/groups', {
        token: t.owner.token,
        body: { name: 'policy_editors', permissions: ['policy.*'] },
      }),
      201,
    );
    // ...and an admin cannot add anyone (themselves included) to it.
    expectProblem(
      await api('POST', `/groups/${owners.id}/members`, {
        token: t.admin.token,
        body: { account_id: t.admin.accountId },
      }),
      403,
      'forbidden',
    );
  });

  it('members may not manage groups', async () => {
    expect(expectOk(await api('GET', '/groups', { token: t.member.token })).data).toEqual([]);
    expectProblem(
      await api('POST', '/groups', { token: t.member.token, body: { name: 'mine' } }),
      403,
      'forbidden',
    );
  });
});
