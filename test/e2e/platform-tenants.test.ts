// The deployment operator's tenant API (#15) through HTTP on a real server and PostgreSQL: only a platform
// key reaches /platform/*, listing and searching every tenant, suspension refusing a tenant's sign-ins,
// refreshes, API keys and tokens, and reactivation restoring them.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { requestCode } from './auth-fixtures.js';
import { startServer, type TestServer } from './harness.js';
import { platformKeys } from './platform-fixtures.js';

const keys = platformKeys();
let server: TestServer;
let acme: SeededTenant;
let globex: SeededTenant;

beforeAll(async () => {
  server = await startServer({ env: keys.env });
  acme = await seedTenant(server, 'Acme Pay');
  globex = await seedTenant(server, 'Globex Bank');
});

const op = { apiKey: keys.operator.key };

describe('who reaches /platform/*', () => {
  it('only a configured platform key: nothing, a wrong key, a tenant key or a user token is refused', async () => {
    expectProblem(await server.api('GET', '/platform/tenants'), 401, 'unauthenticated');
    const wrong = `enfp_${'A'.repeat(43)}`;
    expectProblem(
      await server.api('GET', '/platform/tenants', { apiKey: wrong }),
      401,
      'invalid_credentials',
    );
    expectProblem(
      await server.api('GET', '/platform/tenants', { headers: { authorization: `Bearer ${wrong}` } }),
      401,
      'invalid_credentials',
    );
    // A tenant's admin key and its owner's token, whatever their role, never reach the platform API.
    for (const path of ['/platform/tenants', `/platform/tenants/${acme.tenant.id}`]) {
      expectProblem(await server.api('GET', path, { apiKey: acme.apiKey }), 403, 'credential_not_allowed');
      expectProblem(
        await server.api('GET', path, { token: acme.owner.token }),
        403,
        'credential_not_allowed',
      );
    }
    expectProblem(
      await server.api('PATCH', `/platform/tenants/${acme.tenant.id}`, {
        token: acme.owner.token,
        body: { status: 'suspended', reason: 'self' },
      }),
      403,
      'credential_not_allowed',
    );
    // A bad tenant credential is still a 401 there.
    expectProblem(
      await server.api('GET', '/platform/tenants', { apiKey: 'enf_nope' }),
      401,
      'invalid_credentials',
    );
    expectProblem(await server.api('GET', '/platform/tenants', { token: 'not-a-jwt' }), 401, 'token_invalid');
  });

  it('a platform key reaches no tenant route', async () => {
    expectProblem(await server.api('GET', '/accounts', op), 403, 'credential_not_allowed');
    expectProblem(await server.api('GET', '/revocations', op), 403, 'credential_not_allowed');
    expectProblem(await server.api('GET', '/auth/me', op), 403, 'credential_not_allowed');
  });

  it("a key's scopes bound what it may do", async () => {
    const reader = { apiKey: keys.reader.key };
    expectOk(await server.api('GET', `/platform/tenants/${acme.tenant.id}`, reader));
    expectProblem(
      await server.api('PATCH', `/platform/tenants/${acme.tenant.id}`, {
        ...reader,
        body: { status: 'suspended', reason: 'unpaid' },
      }),
      403,
      'forbidden',
    );
    expect((await server.api('GET', `/platform/tenants/${acme.tenant.id}`, op)).body.status).toBe('active');
  });
});

describe('GET /platform/tenants', () => {
  it('lists every tenant, oldest first, a page at a time', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1';
      const page = expectOk(await server.api('GET', `/platform/tenants${query}`, op));
      expect(page.data.length).toBeLessThanOrEqual(1);
      seen.push(...page.data.map((t: { id: string }) => t.id));
      cursor = page.pagination.next_cursor;
    } while (cursor);
    expect(seen).toContain(acme.tenant.id);
    expect(seen).toContain(globex.tenant.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.indexOf(acme.tenant.id)).toBeLessThan(seen.indexOf(globex.tenant.id));
  });

  it('searches by name (contains, any case) or by code, and filters by status', async () => {
    const byName = expectOk(await server.api('GET', '/platform/tenants?q=gLoBeX', op));
    expect(byName.data.map((t: { id: string }) => t.id)).toEqual([globex.tenant.id]);
    expect(byName.data[0]).toEqual({
      id: globex.tenant.id,
      code: globex.tenant.code,
      name: 'Globex Bank',
      status: 'active',
      status_reason: null,
      status_changed_at: null,
      deletion_due_at: null,
      created_at: expect.any(String),
    });
    const byCode = expectOk(
      await server.api(
        'GET',
        `/platform/tenants?q=${encodeURIComponent(acme.tenant.code.toLowerCase())}`,
        op,
      ),
    );
    expect(byCode.data.map((t: { id: string }) => t.id)).toEqual([acme.tenant.id]);
    // LIKE's wildcards are text, not patterns.
    expect(expectOk(await server.api('GET', '/platform/tenants?q=%25', op)).data).toEqual([]);
    expect(expectOk(await server.api('GET', '/platform/tenants?q=_', op)).data).toEqual([]);
    const suspended = expectOk(await server.api('GET', '/platform/tenants?status=suspended', op));
    expect(suspended.data.every((t: { status: string }) => t.status === 'suspended')).toBe(true);
    expectProblem(await server.api('GET', '/platform/tenants?status=gone', op), 400, 'validation_failed');
    expectProblem(await server.api('GET', '/platform/tenants?cursor=nope', op), 400, 'validation_failed');
  });

  it('GET /platform/tenants/{id}: one tenant, 404 for none, 400 for a bad id', async () => {
    expect(expectOk(await server.api('GET', `/platform/tenants/${acme.tenant.id}`, op)).code).toBe(
      acme.tenant.code,
    );
    expectProblem(
      await server.api('GET', '/platform/tenants/00000000-0000-4000-8000-000000000000', op),
      404,
      'not_found',
    );
    expectProblem(await server.api('GET', '/platform/tenants/nope', op), 400, 'validation_failed');
  });
});

describe('PATCH /platform/tenants/{id}: suspension and reactivation', () => {
  it('refuses bad input without changing anything', async () => {
    const path = `/platform/tenants/${globex.tenant.id}`;
    expectProblem(
      await server.api('PATCH', path, { ...op, body: { status: 'suspended' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await server.api('PATCH', path, { ...op, body: { status: 'paused', reason: 'x' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await server.api('PATCH', path, { ...op, body: { status: 'active', name: 'x' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await server.api('PATCH', '/platform/tenants/00000000-0000-4000-8000-000000000000', {
        ...op,
        body: { status: 'active' },
      }),
      404,
      'not_found',
    );
    expect(expectOk(await server.api('GET', path, op)).status).toBe('active');
  });

  it("a suspended tenant's sign-ins, refreshes, API keys and tokens are refused; reactivation restores them", async () => {
    const tenant = await seedTenant(server, 'Initech Suspend');
    const session = await server.signIn({ accountId: tenant.member.accountId, amr: ['otp'] });
    // Before: everything works.
    expectOk(await server.api('GET', '/auth/me', { token: session.accessToken }));
    expectOk(await server.api('GET', '/accounts', { apiKey: tenant.apiKey }));

    const suspended = expectOk(
      await server.api('PATCH', `/platform/tenants/${tenant.tenant.id}`, {
        ...op,
        body: { status: 'suspended', reason: 'unpaid invoices' },
      }),
    );
    expect(suspended).toMatchObject({
      status: 'suspended',
      status_reason: 'unpaid invoices',
      status_changed_at: expect.any(String),
    });

    // Tokens already handed out stop working at once (the server's authentication).
    expectProblem(
      await server.api('GET', '/auth/me', { token: session.accessToken }),
      403,
      'tenant_suspended',
    );
    expectProblem(
      await server.api('GET', '/accounts', { token: tenant.owner.token }),
      403,
      'tenant_suspended',
    );
    // API keys, on every route including the verifiers' feed.
    expectProblem(await server.api('GET', '/accounts', { apiKey: tenant.apiKey }), 403, 'tenant_suspended');
    expectProblem(
      await server.api('GET', '/revocations', { apiKey: tenant.apiKey }),
      403,
      'tenant_suspended',
    );
    // Refresh, without spending the token.
    expectProblem(
      await server.api('POST', '/auth/refresh', { body: { refresh_token: session.refreshToken } }),
      403,
      'tenant_suspended',
    );
    // Sign-in: the code is still sent (answers do not depend on the tenant's state), the login is refused.
    const otp = await requestCode(server.api, tenant.member.email, tenant.tenant.code);
    expectProblem(
      await server.api('POST', '/auth/login', {
        body: { provider: 'email_otp', email: tenant.member.email, otp, tenant_code: tenant.tenant.code },
      }),
      403,
      'tenant_suspended',
    );
    // Other tenants are untouched.
    expectOk(await server.api('GET', '/accounts', { apiKey: acme.apiKey }));
    // Listed as suspended.
    const listed = expectOk(await server.api('GET', '/platform/tenants?status=suspended', op));
    expect(listed.data.map((t: { id: string }) => t.id)).toContain(tenant.tenant.id);

    // Suspending again changes nothing (no second event).
    expectOk(
      await server.api('PATCH', `/platform/tenants/${tenant.tenant.id}`, {
        ...op,
        body: { status: 'suspended', reason: 'again' },
      }),
    );

    const reactivated = expectOk(
      await server.api('PATCH', `/platform/tenants/${tenant.tenant.id}`, {
        ...op,
        body: { status: 'active' },
      }),
    );
    expect(reactivated).toMatchObject({ status: 'active', status_reason: null });
    // The same token, key and refresh token work again: suspension ended no session.
    expectOk(await server.api('GET', '/auth/me', { token: session.accessToken }));
    expectOk(await server.api('GET', '/accounts', { apiKey: tenant.apiKey }));
    expectOk(await server.api('POST', '/auth/refresh', { body: { refresh_token: session.refreshToken } }));
    const code = await requestCode(server.api, tenant.member.email, tenant.tenant.code);
    expectOk(
      await server.api('POST', '/auth/login', {
        body: {
          provider: 'email_otp',
          email: tenant.member.email,
          otp: code,
          tenant_code: tenant.tenant.code,
        },
      }),
    );

    // Audited in the tenant's log, the platform key as actor.
    const events = await server.db.auditEvents(
      { tenantId: tenant.tenant.id, action: { $in: ['tenants.suspended', 'tenants.reactivated'] } },
      { orderBy: { seq: 'asc' } },
    );
    expect(events.map((e) => [e.action, e.actorType, e.actorId, e.targetId, e.details])).toEqual([
      [
        'tenants.suspended',
        'platform',
        'ops',
        tenant.tenant.id,
        { from: 'active', to: 'suspended', reason: 'unpaid invoices' },
      ],
      [
        'tenants.reactivated',
        'platform',
        'ops',
        tenant.tenant.id,
        { from: 'suspended', to: 'active', reason: null },
      ],
    ]);
    // The tenant's admins read them through the audit API.
    const read = expectOk(await server.api('GET', '/audit-events?type=tenants.', { apiKey: tenant.apiKey }));
    expect(read.data.map((e: { type: string; actor: unknown }) => [e.type, e.actor])).toEqual([
      ['tenants.reactivated', { type: 'platform', id: 'ops' }],
      ['tenants.suspended', { type: 'platform', id: 'ops' }],
    ]);
  });
});

describe("a suspended tenant's applications (machine clients, #18)", () => {
  it('get no token, and the tokens they hold stop working at once; reactivation restores them', async () => {
    const tenant = await seedTenant(server, 'Initech Machines');
    const app = expectOk(
      await server.api('POST', '/applications', {
        apiKey: tenant.apiKey,
        body: { name: 'reports', scopes: ['accounts.read'] },
      }),
      201,
    );
    const tokenRequest = () =>
      server.api('POST', '/oauth/token', {
        raw: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: app.client_id,
          client_secret: app.client_secret,
        }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });
    const token = expectOk(await tokenRequest()).access_token as string;
    const decide = () => server.api('POST', '/authorize', { token, body: { action: 'accounts.read' } });
    expect(expectOk(await decide()).allowed).toBe(true);

    const setStatus = async (body: Record<string, string>) =>
      expectOk(await server.api('PATCH', `/platform/tenants/${tenant.tenant.id}`, { ...op, body }));
    await setStatus({ status: 'suspended', reason: 'unpaid invoices' });
    const refused = await tokenRequest();
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'unauthorized_client' });
    expectProblem(await decide(), 403, 'tenant_suspended');

    await setStatus({ status: 'active' });
    expect(expectOk(await decide()).allowed).toBe(true);
    expectOk(await tokenRequest());
  });
});

describe('GET /platform/tenants/{id}/usage', () => {
  it("counts a month's accounts, active accounts, sign-ins and authorize calls, per tenant", async () => {
    // Owner, admin and member, each with a session used now.
    const tenant = await seedTenant(server, 'Usage Corp');
    const idle = await server.db.seedAccount({ tenantId: tenant.tenant.id, role: 'member' });
    const otp = await requestCode(server.api, tenant.member.email, tenant.tenant.code);
    expectOk(
      await server.api('POST', '/auth/login', {
        body: { provider: 'email_otp', email: tenant.member.email, otp, tenant_code: tenant.tenant.code },
      }),
    );
    for (let i = 0; i < 2; i++) {
      expectOk(
        await server.api('POST', '/authorize', { apiKey: tenant.apiKey, body: { action: 'accounts.read' } }),
      );
    }
    expectOk(
      await server.api('POST', '/authorize/batch', {
        token: tenant.admin.token,
        body: { checks: [{ action: 'a.b' }, { action: 'c.d' }] },
      }),
    );
    expectOk(
      await server.api('POST', '/authorize/filter', {
        apiKey: tenant.apiKey,
        body: { action: 'accounts.read', resource_type: 'account' },
      }),
    );
    // Another tenant's calls are its own.
    expectOk(
      await server.api('POST', '/authorize', { apiKey: acme.apiKey, body: { action: 'accounts.read' } }),
    );

    const usage = expectOk(await server.api('GET', `/platform/tenants/${tenant.tenant.id}/usage`, op));
    const now = new Date();
    const month = now.toISOString().slice(0, 7);
    expect(usage).toEqual({
      tenant_id: tenant.tenant.id,
      month,
      from: `${month}-01T00:00:00.000Z`,
      to: expect.any(String),
      accounts: 4,
      monthly_active_accounts: 3,
      sign_ins: 1,
      authorize_calls: 4,
    });
    expect(idle.accountId).toBeTruthy();
    // A month before the tenant existed: nothing.
    expect(
      expectOk(await server.api('GET', `/platform/tenants/${tenant.tenant.id}/usage?month=2020-01`, op)),
    ).toMatchObject({
      month: '2020-01',
      from: '2020-01-01T00:00:00.000Z',
      to: '2020-02-01T00:00:00.000Z',
      accounts: 0,
      monthly_active_accounts: 0,
      sign_ins: 0,
      authorize_calls: 0,
    });
    expectProblem(
      await server.api('GET', `/platform/tenants/${tenant.tenant.id}/usage?month=2026-13`, op),
      400,
      'validation_failed',
    );
    expectProblem(
      await server.api('GET', '/platform/tenants/00000000-0000-4000-8000-000000000000/usage', op),
      404,
      'not_found',
    );
    expectProblem(
      await server.api('GET', `/platform/tenants/${tenant.tenant.id}/usage`, { apiKey: tenant.apiKey }),
      403,
      'credential_not_allowed',
    );
  });
});

describe('tenant names', () => {
  it('are not unique (docs/api.md says so): two tenants may share one, told apart by id and code', async () => {
    const twin = await seedTenant(server, 'Acme Pay');
    expect(twin.tenant.id).not.toBe(acme.tenant.id);
    expect(twin.tenant.code).not.toBe(acme.tenant.code);
    // Renaming a tenant to another's name is accepted too.
    expectOk(
      await server.api('PATCH', `/tenants/${globex.tenant.id}`, {
        apiKey: globex.apiKey,
        body: { name: 'Acme Pay' },
      }),
    );
    const found = expectOk(await server.api('GET', '/platform/tenants?q=acme%20pay', op));
    expect(found.data.map((t: { id: string }) => t.id)).toEqual(
      expect.arrayContaining([acme.tenant.id, twin.tenant.id, globex.tenant.id]),
    );
    expectOk(
      await server.api('PATCH', `/tenants/${globex.tenant.id}`, {
        apiKey: globex.apiKey,
        body: { name: 'Globex Bank' },
      }),
    );
  });
});
