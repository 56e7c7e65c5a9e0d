// Custom roles over HTTP (POST /roles, PATCH/DELETE /roles/{name}): they edit the tenant's policy document
// through PUT /policy's one write path (If-Match, ETag, validation, audit, a new version), so GET /policy
// stays the one truth; and their refusals: escalation, built-in roles, roles in use, limits.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

const policy = async () => expectOk(await api('GET', '/policy', { token: t.owner.token }));
const version = async () => (await server.db.records('tenants').one(t.tenant.id)).policyVersion;
const grantVersion = async (accountId: string) =>
  (await server.db.records('accounts').one(accountId)).grantVersion;

describe('POST /roles', () => {
  it('writes the role into the policy document, with If-Match and a new ETag, audited twice', async () => {
    const before = await policy();
    const v = await version();
    const created = await api('POST', '/roles', {
      token: t.admin.token,
      headers: { 'if-match': before.etag },
      body: {
        name: 'support',
        description: 'Reads accounts',
        permissions: ['accounts.read', 'accounts.read', 'tickets.*'],
      },
    });
    // tickets.* is not something the admin holds: refused before anything is written.
    expectProblem(created, 403, 'forbidden');
    expect(await version()).toBe(v);

    const ok = await api('POST', '/roles', {
      token: t.admin.token,
      headers: { 'if-match': before.etag },
      body: {
        name: 'support',
        description: 'Reads accounts',
        permissions: ['accounts.read', 'accounts.read'],
      },
    });
    expect(expectOk(ok, 201)).toEqual({
      name: 'support',
      description: 'Reads accounts',
      permissions: ['accounts.read'],
      built_in: false,
    });
    const after = await policy();
    expect(after.document.roles.support).toEqual({
      description: 'Reads accounts',
      permissions: ['accounts.read'],
    });
    expect(ok.headers.get('etag')).toBe(after.etag);
    expect(after.etag).not.toBe(before.etag);
    expect(await version()).toBe(v + 1);
    const roles = expectOk(await api('GET', '/roles', { token: t.member.token })).data;
    expect(roles.map((r: { name: string }) => r.name)).toEqual(['owner', 'admin', 'member', 'support']);

    const audit = await server.db.auditEvents(
      { tenantId: t.tenant.id, action: { $in: ['policy.updated', 'role.created'] } },
      // The order they were written in is the tenant's audit chain (events of one transaction share a time).
      { orderBy: { seq: 'asc' } },
    );
    expect(audit.slice(-2).map((e) => e.action)).toEqual(['policy.updated', 'role.created']);
    expect(audit.at(-2)?.details).toMatchObject({
      via: 'role.created',
      role: 'support',
      to_etag: after.etag,
    });
    expect(audit.at(-1)).toMatchObject({ actorType: 'account', actorId: t.admin.accountId });

    // A stale ETag is 412; a name taken is 409; a member has no roles.write.
    expectProblem(
      await api('POST', '/roles', {
        token: t.owner.token,
        headers: { 'if-match': before.etag },
        body: { name: 'auditor', permissions: [] },
      }),
      412,
      'precondition_failed',
    );
    expectProblem(
      await api('POST', '/roles', { token: t.owner.token, body: { name: 'support', permissions: [] } }),
      409,
      'conflict',
    );
    expectProblem(
      await api('POST', '/roles', { token: t.member.token, body: { name: 'mine', permissions: [] } }),
      403,
      'forbidden',
    );
    expectProblem(
      await api('POST', '/roles', { token: t.owner.token, body: { name: 'Bad Name', permissions: [] } }),
      400,
      'validation_failed',
    );
    expect((await policy()).etag).toBe(after.etag);
  });

  it('an account given the role can do what it grants at once', async () => {
    const agent = await t.addAccount('support');
    expect(
      expectOk(await api('POST', '/authorize', { token: agent.token, body: { action: 'accounts.read' } })),
    ).toMatchObject({ allowed: true, reason: { kind: 'allowed_by_role', role: 'support' } });
    // The admin may hand the role out: it is within the admin's reach.
    expectOk(
      await api('PUT', `/accounts/${t.member.accountId}/role`, {
        token: t.admin.token,
        body: { role: 'support' },
      }),
    );
    expectOk(
      await api('PUT', `/accounts/${t.member.accountId}/role`, {
        token: t.admin.token,
        body: { role: 'member' },
      }),
    );
  });
});

describe('PATCH /roles/{name}', () => {
  it('changes permissions and description; refuses what the caller does not hold and roles above it', async () => {
    const before = await policy();
    const patched = await api('PATCH', '/roles/support', {
      token: t.admin.token,
      headers: { 'if-match': before.etag },
      body: { permissions: ['accounts.read', 'groups.read'], description: null },
    });
    expect(expectOk(patched)).toEqual({
      name: 'support',
      description: null,
      permissions: ['accounts.read', 'groups.read'],
      built_in: false,
    });
    expect((await policy()).document.roles.support).toEqual({
      permissions: ['accounts.read', 'groups.read'],
    });
    expect(patched.headers.get('etag')).toBe((await policy()).etag);
    const audit = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'role.updated' });
    expect(audit.at(-1)?.details).toMatchObject({
      name: 'support',
      from: ['accounts.read'],
      to: ['accounts.read', 'groups.read'],
    });

    // Escalation: a pattern the admin does not hold.
    expectProblem(
      await api('PATCH', '/roles/support', {
        token: t.admin.token,
        body: { permissions: ['policy.update'] },
      }),
      403,
      'forbidden',
    );
    // The owner role grants `*`: an admin may not narrow it.
    expectProblem(
      await api('PATCH', '/roles/owner', { token: t.admin.token, body: { description: 'Mine now' } }),
      403,
      'forbidden',
    );
    // Nobody may leave the tenant without a role that can manage it.
    expectProblem(
      await api('PATCH', '/roles/owner', { token: t.owner.token, body: { permissions: ['tenants.read'] } }),
      409,
      'conflict',
    );
    expectProblem(
      await api('PATCH', '/roles/nobody', { token: t.owner.token, body: { permissions: [] } }),
      404,
      'not_found',
    );
    expectProblem(
      await api('PATCH', '/roles/support', { token: t.owner.token, body: {} }),
      400,
      'validation_failed',
    );
    // The same content again is no write: same ETag, no new version.
    const v = await version();
    const again = await api('PATCH', '/roles/support', {
      token: t.owner.token,
      body: { permissions: ['accounts.read', 'groups.read'] },
    });
    expectOk(again);
    expect(await version()).toBe(v);
  });
});

describe('DELETE /roles/{name}', () => {
  it('refuses built-in roles, and roles in use without reassign_to; reassigning moves the accounts', async () => {
    expectProblem(await api('DELETE', '/roles/member', { token: t.owner.token }), 409, 'built_in');
    expectProblem(await api('DELETE', '/roles/nobody', { token: t.owner.token }), 404, 'not_found');
    const agent = await t.addAccount('support');
    const v = await version();
    const gv = await grantVersion(agent.accountId);
    expectProblem(await api('DELETE', '/roles/support', { token: t.owner.token }), 409, 'role_in_use');
    expectProblem(
      await api('DELETE', '/roles/support?reassign_to=nobody', { token: t.owner.token }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('DELETE', '/roles/support?reassign_to=support', { token: t.owner.token }),
      400,
      'validation_failed',
    );
    // The admin may not move accounts to a role above them.
    expectProblem(
      await api('DELETE', '/roles/support?reassign_to=owner', { token: t.admin.token }),
      403,
      'forbidden',
    );
    expect(await version()).toBe(v);
    expect((await server.db.records('accounts').one(agent.accountId)).roles).toEqual(['support']);

    const etag = (await policy()).etag;
    const deleted = await api('DELETE', '/roles/support?reassign_to=member', {
      token: t.admin.token,
      headers: { 'if-match': etag },
    });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    const after = await policy();
    expect(deleted.headers.get('etag')).toBe(after.etag);
    expect(Object.keys(after.document.roles)).not.toContain('support');
    expect(await version()).toBe(v + 1);
    const moved = await server.db.records('accounts').one(agent.accountId);
    expect(moved.roles).toEqual(['member']);
    expect(await grantVersion(agent.accountId)).toBe(gv + 1);
    const audit = await server.db.auditEvents(
      { tenantId: t.tenant.id, action: { $in: ['role.deleted', 'account.role.changed'] } },
      { orderBy: { createdAt: 'asc' } },
    );
    expect(audit.find((e) => e.action === 'role.deleted')?.details).toMatchObject({
      name: 'support',
      reassign_to: 'member',
      accounts_moved: 2,
    });
    expect(audit.filter((e) => e.targetId === agent.accountId).map((e) => e.action)).toContain(
      'account.role.changed',
    );
  });

  it('a role nobody holds is deleted without reassign_to; one an API key acts with is role_in_use', async () => {
    expectOk(
      await api('POST', '/roles', { token: t.owner.token, body: { name: 'temp', permissions: [] } }),
      201,
    );
    expect((await api('DELETE', '/roles/temp', { token: t.owner.token })).status).toBe(204);
    expectOk(
      await api('POST', '/roles', {
        token: t.owner.token,
        body: { name: 'robot', permissions: ['tenants.read'] },
      }),
      201,
    );
    expectOk(
      await api('POST', '/api-keys', { token: t.owner.token, body: { name: 'bot', role: 'robot' } }),
      201,
    );
    const refused = expectProblem(
      await api('DELETE', '/roles/robot?reassign_to=member', { token: t.owner.token }),
      409,
      'role_in_use',
    );
    expect(refused.detail).toContain('API keys');
    expect(Object.keys((await policy()).document.roles)).toContain('robot');
  });

  it('open invites into the role count as in use; reassign_to moves them too', async () => {
    expectOk(
      await api('POST', '/roles', {
        token: t.owner.token,
        body: { name: 'guest', permissions: ['tenants.read'] },
      }),
      201,
    );
    const invite = expectOk(
      await api('POST', `/tenants/${t.tenant.id}/invites`, {
        token: t.owner.token,
        body: { email: 'guest-invitee@example.com', role: 'guest', send_email: false },
      }),
      201,
    );
    const refused = expectProblem(
      await api('DELETE', '/roles/guest', { token: t.owner.token }),
      409,
      'role_in_use',
    );
    expect(refused.detail).toContain('invites');
    expect((await api('DELETE', '/roles/guest?reassign_to=member', { token: t.owner.token })).status).toBe(
      204,
    );
    expect((await server.db.records('invites').one(invite.id)).role).toBe('member');
    const audit = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'role.deleted' });
    expect(audit.at(-1)?.details).toMatchObject({ name: 'guest', invites_moved: 1, accounts_moved: 0 });
  });
});

describe('limits', () => {
  it('max_permissions_per_role is a tenant setting: over it is 400 limit_exceeded, on POST /roles and PUT /policy', async () => {
    const tenant = expectOk(await api('GET', `/tenants/${t.tenant.id}`, { token: t.owner.token }));
    expect(tenant.limits).toEqual({
      max_permissions_per_role: 100,
      max_permissions_per_group: 100,
      max_groups_per_account: 50,
      max_roles_per_account: 10,
      max_code_sends_per_hour: 1000,
      max_sms_per_day: 500,
    });
    const set = expectOk(
      await api('PATCH', `/tenants/${t.tenant.id}`, {
        token: t.owner.token,
        body: { limits: { max_permissions_per_role: 2 } },
      }),
    );
    expect(set.limits.max_permissions_per_role).toBe(2);
    const three = ['a.read', 'b.read', 'c.read'];
    const refused = expectProblem(
      await api('POST', '/roles', { token: t.owner.token, body: { name: 'wide', permissions: three } }),
      400,
      'limit_exceeded',
    );
    expect(refused.detail).toContain('max_permissions_per_role');
    const document = structuredClone((await policy()).document);
    document.roles.wide = { permissions: three };
    expectProblem(
      await api('PUT', '/policy', { token: t.owner.token, body: document }),
      400,
      'limit_exceeded',
    );
    // Roles already over the limit (admin: 12 patterns) stay writable for everything else.
    expectOk(
      await api('POST', '/roles', {
        token: t.owner.token,
        body: { name: 'narrow', permissions: ['a.read'] },
      }),
      201,
    );
    expectOk(
      await api('PATCH', `/tenants/${t.tenant.id}`, {
        token: t.owner.token,
        body: { limits: { max_permissions_per_role: null } },
      }),
    );
    expectOk(
      await api('POST', '/roles', { token: t.owner.token, body: { name: 'wide', permissions: three } }),
      201,
    );
    expectProblem(
      await api('PATCH', `/tenants/${t.tenant.id}`, {
        token: t.owner.token,
        body: { limits: { max_permissions_per_role: 0 } },
      }),
      400,
      'validation_failed',
    );
  });
});
