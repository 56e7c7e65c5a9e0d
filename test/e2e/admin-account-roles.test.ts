// Several roles per account over HTTP (#14): POST /accounts/{id}/roles and DELETE /accounts/{id}/roles/{role}
// add and remove one (idempotent), PUT /accounts/{id}/role replaces them all with one; the caller-narrowing
// rule over the role and every role held, the last role, the last manager and the tenant's limit; each
// change bumps the grant version (the revocation feed shows every role) and is audited; tokens and
// decisions carry every role; GET /accounts?role= means "holds"; a role's deletion replaces it in place.
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { requestCode } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
  // A custom role granting something no built-in role below owner has.
  expectOk(
    await api('POST', '/roles', {
      token: t.owner.token,
      body: { name: 'support_agent', permissions: ['tickets.*'] },
    }),
    201,
  );
});

const grantVersion = async (accountId: string) =>
  (await server.db.records('accounts').one(accountId)).grantVersion;

const addRole = (id: string, role: string, credential: { token?: string; apiKey?: string }) =>
  api('POST', `/accounts/${id}/roles`, { ...credential, body: { role } });
const removeRole = (id: string, role: string, credential: { token?: string; apiKey?: string }) =>
  api('DELETE', `/accounts/${id}/roles/${role}`, credential);

/** A fresh sign-in (email code) into the tenant: the new access token's claims and the token. */
async function signIn(email: string) {
  const otp = await requestCode(api, email, t.tenant.code);
  const session = expectOk(
    await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: t.tenant.code },
    }),
  );
  return { token: session.token as string, claims: decodeJwt(session.token) };
}

describe('POST /accounts/{id}/roles', () => {
  it('adds a role: sorted roles, primary role kept, grant version bumped, audited, idempotent', async () => {
    const m = await t.addAccount('member');
    const before = await grantVersion(m.accountId);
    const added = expectOk(await addRole(m.accountId, 'support_agent', { token: t.owner.token }));
    expect(added).toMatchObject({ id: m.accountId, role: 'member', roles: ['member', 'support_agent'] });
    expect(await grantVersion(m.accountId)).toBe(before + 1);
    const [event] = await server.db.auditEvents({ action: 'account.role.added', targetId: m.accountId });
    expect(event).toMatchObject({
      actorType: 'account',
      actorId: t.owner.accountId,
      details: { role: 'support_agent', roles_before: ['member'], roles_after: ['member', 'support_agent'] },
    });
    // Again: unchanged, no bump, no second audit event.
    const again = expectOk(await addRole(m.accountId, 'support_agent', { token: t.owner.token }));
    expect(again.roles).toEqual(['member', 'support_agent']);
    expect(await grantVersion(m.accountId)).toBe(before + 1);
    expect(await server.db.auditEvents({ action: 'account.role.added', targetId: m.accountId })).toHaveLength(
      1,
    );
    // The primary role is the first granted, whatever the sort order of `roles`.
    const third = expectOk(await addRole(m.accountId, 'admin', { token: t.owner.token }));
    expect(third).toMatchObject({ role: 'member', roles: ['admin', 'member', 'support_agent'] });
    expect(expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey })).roles).toEqual([
      'admin',
      'member',
      'support_agent',
    ]);
  });

  it('tokens, /authorize and the revocation feed carry every role; the account may do what any allows', async () => {
    const m = await t.addAccount('member');
    const ask = (token: string, action: string) =>
      api('POST', '/authorize', { token, body: { action } }).then((r) => expectOk(r).allowed);
    expect(await ask(m.token, 'tickets.read')).toBe(false);
    const feedStart = expectOk(await api('GET', '/revocations', { apiKey: t.apiKey })).next_cursor;
    expectOk(await addRole(m.accountId, 'support_agent', { token: t.owner.token }));
    // The live token decides with the account as it is now (the server reads the grant per request).
    expect(await ask(m.token, 'tickets.read')).toBe(true);
    expect(await ask(m.token, 'tenants.read')).toBe(true);
    const fresh = await signIn(m.email);
    expect([...(fresh.claims.roles as string[])].sort()).toEqual(['member', 'support_agent']);
    expect(await ask(fresh.token, 'tickets.close')).toBe(true);
    const feed = expectOk(await api('GET', `/revocations?cursor=${feedStart}`, { apiKey: t.apiKey }));
    const grant = feed.accounts.find((a: { account_id: string }) => a.account_id === m.accountId);
    expect([...grant.roles].sort()).toEqual(['member', 'support_agent']);
    expect(grant.grant_version).toBe(await grantVersion(m.accountId));
  });

  it('GET /accounts?role= lists the accounts that hold the role, among others', async () => {
    const m = await t.addAccount('member');
    expectOk(await addRole(m.accountId, 'support_agent', { token: t.owner.token }));
    const holding = async (role: string) =>
      expectOk(await api('GET', `/accounts?role=${role}&limit=100`, { apiKey: t.apiKey })).data.map(
        (a: { id: string }) => a.id,
      );
    expect(await holding('support_agent')).toContain(m.accountId);
    expect(await holding('member')).toContain(m.accountId);
    expect(await holding('owner')).not.toContain(m.accountId);
  });

  it('refuses an unknown role (400), a role above the caller (403), an account above the caller (403)', async () => {
    const m = await t.addAccount('member');
    expectFieldError(
      expectProblem(
        await addRole(m.accountId, 'no_such_role', { apiKey: t.apiKey }),
        400,
        'validation_failed',
      ),
      'body.role',
    );
    // An admin cannot hand out owner, nor a role granting what admins lack (support_agent's tickets.*).
    expectProblem(await addRole(m.accountId, 'owner', { token: t.admin.token }), 403, 'forbidden');
    expectProblem(await addRole(m.accountId, 'support_agent', { token: t.admin.token }), 403, 'forbidden');
    // An account holding a role above the caller is out of reach, whatever is added or removed.
    const strong = await t.addAccount('member');
    expectOk(await addRole(strong.accountId, 'owner', { token: t.owner.token }));
    expectProblem(await addRole(strong.accountId, 'admin', { token: t.admin.token }), 403, 'forbidden');
    expectProblem(await removeRole(strong.accountId, 'member', { token: t.admin.token }), 403, 'forbidden');
    // A member cannot change roles at all.
    expectProblem(await addRole(m.accountId, 'member', { token: t.member.token }), 403, 'forbidden');
    expect(expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey })).roles).toEqual([
      'member',
    ]);
    expect(expectOk(await api('GET', `/accounts/${strong.accountId}`, { apiKey: t.apiKey })).roles).toEqual([
      'member',
      'owner',
    ]);
  });

  it('max_roles_per_account is a tenant setting: one more is 400 limit_exceeded', async () => {
    const tenant = expectOk(await api('GET', `/tenants/${t.tenant.id}`, { token: t.owner.token }));
    expect(tenant.limits.max_roles_per_account).toBe(10);
    expectOk(
      await api('PATCH', `/tenants/${t.tenant.id}`, {
        token: t.owner.token,
        body: { limits: { max_roles_per_account: 2 } },
      }),
    );
    try {
      const m = await t.addAccount('member');
      expectOk(await addRole(m.accountId, 'admin', { token: t.owner.token }));
      const refused = expectProblem(
        await addRole(m.accountId, 'support_agent', { token: t.owner.token }),
        400,
        'limit_exceeded',
      );
      expect(refused.detail).toContain('max_roles_per_account');
      // A role already held is no addition; replacing in place is not either.
      expectOk(await addRole(m.accountId, 'admin', { token: t.owner.token }));
      expect(expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey })).roles).toEqual([
        'admin',
        'member',
      ]);
    } finally {
      expectOk(
        await api('PATCH', `/tenants/${t.tenant.id}`, {
          token: t.owner.token,
          body: { limits: { max_roles_per_account: null } },
        }),
      );
    }
  });
});

describe('DELETE /accounts/{id}/roles/{role}', () => {
  it('removes one role (the next becomes primary), idempotent; the last one is 409 last_role', async () => {
    const m = await t.addAccount('member');
    expectOk(await addRole(m.accountId, 'support_agent', { token: t.owner.token }));
    const before = await grantVersion(m.accountId);
    const removed = expectOk(await removeRole(m.accountId, 'member', { token: t.owner.token }));
    expect(removed).toMatchObject({ role: 'support_agent', roles: ['support_agent'] });
    expect(await grantVersion(m.accountId)).toBe(before + 1);
    const [event] = await server.db.auditEvents({ action: 'account.role.removed', targetId: m.accountId });
    expect(event?.details).toMatchObject({
      role: 'member',
      roles_before: ['member', 'support_agent'],
      roles_after: ['support_agent'],
    });
    // Not held: unchanged.
    expect(expectOk(await removeRole(m.accountId, 'member', { token: t.owner.token })).roles).toEqual([
      'support_agent',
    ]);
    expect(await grantVersion(m.accountId)).toBe(before + 1);
    const last = expectProblem(
      await removeRole(m.accountId, 'support_agent', { token: t.owner.token }),
      409,
      'last_role',
    );
    expect(last.detail).toContain('support_agent');
    expect(expectOk(await api('GET', `/accounts/${m.accountId}`, { apiKey: t.apiKey })).roles).toEqual([
      'support_agent',
    ]);
    // A role name that is not an identifier is a bad path.
    expectProblem(
      await api('DELETE', `/accounts/${m.accountId}/roles/Not-A-Role`, { token: t.owner.token }),
      400,
      'validation_failed',
    );
  });

  it("taking the owner role from the tenant's last owner is 409 last_admin; with a second owner it goes", async () => {
    const server2Tenant = await seedTenant(server, 'Single Owner Co');
    const { owner } = server2Tenant;
    expectOk(await addRole(owner.accountId, 'admin', { token: owner.token }));
    expectProblem(await removeRole(owner.accountId, 'owner', { token: owner.token }), 409, 'last_admin');
    expect(expectOk(await api('GET', `/accounts/${owner.accountId}`, { token: owner.token })).roles).toEqual([
      'admin',
      'owner',
    ]);
    const next = await server2Tenant.addAccount('member');
    expectOk(await addRole(next.accountId, 'owner', { token: owner.token }));
    const demoted = expectOk(await removeRole(owner.accountId, 'owner', { token: owner.token }));
    expect(demoted).toMatchObject({ role: 'admin', roles: ['admin'] });
  });
});

describe('PUT /accounts/{id}/role and role deletion with several roles', () => {
  it('PUT replaces every role with one', async () => {
    const m = await t.addAccount('member');
    expectOk(await addRole(m.accountId, 'support_agent', { token: t.owner.token }));
    const set = expectOk(
      await api('PUT', `/accounts/${m.accountId}/role`, { token: t.owner.token, body: { role: 'admin' } }),
    );
    expect(set).toMatchObject({ role: 'admin', roles: ['admin'] });
    const [event] = await server.db.auditEvents({ action: 'account.role.changed', targetId: m.accountId });
    expect(event?.details).toMatchObject({
      from: 'member',
      to: 'admin',
      roles_before: ['member', 'support_agent'],
      roles_after: ['admin'],
    });
  });

  it('DELETE /roles/{name}?reassign_to= replaces the role where it stood, once', async () => {
    expectOk(
      await api('POST', '/roles', { token: t.owner.token, body: { name: 'night_shift', permissions: [] } }),
      201,
    );
    const both = await t.addAccount('member');
    expectOk(await addRole(both.accountId, 'night_shift', { token: t.owner.token }));
    const alone = await t.addAccount('member');
    expectOk(await addRole(alone.accountId, 'night_shift', { token: t.owner.token }));
    expectOk(await removeRole(alone.accountId, 'member', { token: t.owner.token }));
    expectOk(await addRole(alone.accountId, 'admin', { token: t.owner.token }));
    const deleted = await api('DELETE', '/roles/night_shift?reassign_to=member', { token: t.owner.token });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expect((await server.db.records('accounts').one(both.accountId)).roles).toEqual(['member']);
    expect((await server.db.records('accounts').one(alone.accountId)).roles).toEqual(['member', 'admin']);
    expect(expectOk(await api('GET', `/accounts/${alone.accountId}`, { apiKey: t.apiKey }))).toMatchObject({
      role: 'member',
      roles: ['admin', 'member'],
    });
  });
});
