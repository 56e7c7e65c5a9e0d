// The policy API over HTTP: reading and replacing the document (validation with paths, If-Match, the
// checks that keep the tenant manageable), and decisions with POST /authorize and /authorize/filter.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
});

const read = async () => expectOk(await api('GET', '/policy', { token: t.owner.token }));
const put = (body: unknown, headers: Record<string, string> = {}) =>
  api('PUT', '/policy', { token: t.owner.token, body, headers });

describe('GET /policy', () => {
  it('returns the stored document, the effective one and an ETag (also as a header)', async () => {
    const response = await api('GET', '/policy', { apiKey: t.apiKey });
    const policy = expectOk(response);
    expect(policy.document.roles.owner.permissions).toEqual(['*']);
    expect(policy.effective.groups.verified.permissions).toEqual(['transfers.*']);
    expect(policy.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(response.headers.get('etag')).toBe(policy.etag);
    expect(Date.parse(policy.updated_at)).not.toBeNaN();
    expectProblem(await api('GET', '/policy', { token: t.member.token }), 403, 'forbidden');
  });
});

describe('PUT /policy', () => {
  it('stores a valid document, bumps the version, audits, and decisions follow at once', async () => {
    const current = await read();
    const version = (await server.db.records('tenants').one(t.tenant.id)).policyVersion;
    const document = structuredClone(current.document);
    document.roles.member.permissions.push('reports.read');
    const updated = await put(document, { 'if-match': current.etag });
    const body = expectOk(updated);
    expect(body.document.roles.member.permissions).toContain('reports.read');
    expect(body.etag).not.toBe(current.etag);
    expect(updated.headers.get('etag')).toBe(body.etag);
    expect((await server.db.records('tenants').one(t.tenant.id)).policyVersion).toBe(version + 1);
    expect((await read()).etag).toBe(body.etag);
    expect(
      expectOk(await api('POST', '/authorize', { token: t.member.token, body: { action: 'reports.read' } })),
    ).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_role', role: 'member', permission: 'reports.read' },
    });
    const events = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'policy.updated' });
    expect(events.at(-1)).toMatchObject({ actorType: 'account', actorId: t.owner.accountId });
    // The same document again changes nothing.
    expect(expectOk(await put(document)).etag).toBe(body.etag);
  });

  it('honours If-Match: a stale ETag is 412 and nothing changes', async () => {
    const current = await read();
    const stale = '"stale-etag"';
    const document = structuredClone(current.document);
    document.roles.member.permissions.push('stale.write');
    expectProblem(await put(document, { 'if-match': stale }), 412, 'precondition_failed');
    expectProblem(await put(document, { 'if-match': `W/${current.etag}` }), 412, 'precondition_failed');
    expect((await read()).etag).toBe(current.etag);
    // Creating a group changes the effective policy, so an ETag read before it is stale too.
    expectOk(
      await api('POST', '/groups', { apiKey: t.apiKey, body: { name: 'beta', permissions: ['beta.use'] } }),
      201,
    );
    expectProblem(await put(document, { 'if-match': current.etag }), 412, 'precondition_failed');
    const fresh = await read();
    expectOk(await put(document, { 'if-match': fresh.etag }));
    expectOk(await put(document, { 'if-match': '*' }));
  });

  it('a document that does not compile is 400 invalid_policy naming the path', async () => {
    const document = structuredClone((await read()).document);
    document.rules.push({
      id: 'bad',
      effect: 'allow',
      actions: ['accounts.read'],
      resource: 'account',
      condition: { eq: ['resource.balance', 10] },
    });
    const problem = expectProblem(await put(document), 400, 'invalid_policy');
    expect(problem.errors?.map((e) => e.path)).toContain(
      `body.rules[${document.rules.length - 1}].condition.eq[0]`,
    );
  });

  it('a document of the wrong shape is 400 validation_failed', async () => {
    for (const body of [
      {},
      { version: 2, resources: {}, roles: {} },
      [],
      { version: 1, resources: {}, roles: {}, extra: true },
    ]) {
      expectProblem(await put(body), 400, 'validation_failed');
    }
    const document = structuredClone((await read()).document);
    document.rules[0].effect = 'maybe';
    expectFieldError(expectProblem(await put(document), 400, 'validation_failed'), 'body.rules.0.effect');
  });

  it("refuses what Enforcer's own endpoints cannot work with (400 invalid_policy)", async () => {
    const base = (await read()).document;
    // biome-ignore lint/suspicious/noExplicitAny: each case edits the document its own way
    const cases: [(d: any) => void, string][] = [
      [(d) => delete d.roles.member, 'body.roles.member'],
      [
        (d) => {
          delete d.resources.account;
          d.rules = d.rules.filter((r: { resource?: string }) => r.resource !== 'account');
        },
        'body.resources.account',
      ],
      [
        (d) => (d.resources.account.attributes.kyc_level = 'number'),
        'body.resources.account.attributes.kyc_level',
      ],
      [(d) => (d.resources.group.attributes.name = 'number'), 'body.resources.group.attributes.name'],
      [
        (d) =>
          d.rules.push({
            effect: 'allow',
            actions: ['accounts.read'],
            resource: 'account',
            condition: { eq: ['resource.id', { ref: 'resource.person_id' }] },
          }),
        `body.rules[${base.rules.length}].condition.eq[1]`,
      ],
    ];
    for (const [change, path] of cases) {
      const document = structuredClone(base);
      change(document);
      const problem = expectProblem(await put(document), 400, 'invalid_policy');
      expect(
        problem.errors?.map((e) => e.path),
        path,
      ).toContain(path);
    }
  });

  it('refuses a document that would leave nobody able to manage the tenant (409 conflict)', async () => {
    const base = (await read()).document;
    const noManager = structuredClone(base);
    noManager.roles.owner.permissions = ['accounts.*'];
    expect(expectProblem(await put(noManager), 409, 'conflict').detail).toMatch(/policy\.update/);

    const denied = structuredClone(base);
    denied.rules.push({ id: 'nobody-edits-policy', effect: 'deny', actions: ['policy.update'] });
    expectProblem(await put(denied), 409, 'conflict');

    const orphan = structuredClone(base);
    orphan.roles.auditor = { permissions: ['accounts.read'] };
    expectOk(await put(orphan));
    await t.addAccount('auditor');
    const removed = structuredClone(orphan);
    delete removed.roles.auditor;
    expect(expectProblem(await put(removed), 409, 'conflict').detail).toContain('"auditor"');
  });

  it('needs policy.update: an admin (policy.read only) is refused', async () => {
    expectProblem(
      await api('PUT', '/policy', { token: t.admin.token, body: (await read()).document }),
      403,
      'forbidden',
    );
  });
});

describe('POST /authorize', () => {
  it('decides for the caller, with the engine explanation', async () => {
    expect(
      expectOk(await api('POST', '/authorize', { token: t.admin.token, body: { action: 'groups.create' } })),
    ).toEqual({ allowed: true, reason: { kind: 'allowed_by_role', role: 'admin', permission: 'groups.*' } });
    const record = { type: 'account', attributes: { id: t.member.accountId, tenant_id: t.tenant.id } };
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: t.member.token,
          body: { action: 'accounts.read', resource: record },
        }),
      ),
    ).toEqual({ allowed: true, reason: { kind: 'allowed_by_rule', rule: 'members-read-their-own-account' } });
    const other = { type: 'account', attributes: { id: t.admin.accountId, tenant_id: t.tenant.id } };
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: t.member.token,
          body: { action: 'accounts.read', resource: other },
        }),
      ).allowed,
    ).toBe(false);
    const elsewhere = {
      type: 'account',
      attributes: { id: t.member.accountId, tenant_id: crypto.randomUUID() },
    };
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: t.member.token,
          body: { action: 'accounts.read', resource: elsewhere },
        }),
      ),
    ).toEqual({ allowed: false, reason: { kind: 'tenant_mismatch' } });
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: t.member.token,
          body: { action: 'x.read', resource: { type: 'spaceship', attributes: {} } },
        }),
      ),
    ).toEqual({ allowed: false, reason: { kind: 'unknown_resource_type', resource_type: 'spaceship' } });
  });

  it('decides for another account only with an API key or authorize.any', async () => {
    const body = { action: 'groups.read', account_id: t.admin.accountId };
    expect(expectOk(await api('POST', '/authorize', { apiKey: t.apiKey, body })).allowed).toBe(true);
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: t.admin.token,
          body: { ...body, account_id: t.member.accountId },
        }),
      ).allowed,
    ).toBe(false);
    expectProblem(await api('POST', '/authorize', { token: t.member.token, body }), 403, 'forbidden');
    // Asking about oneself by id is always fine.
    expectOk(
      await api('POST', '/authorize', {
        token: t.member.token,
        body: { action: 'x.y', account_id: t.member.accountId },
      }),
    );
    expectProblem(
      await api('POST', '/authorize', {
        apiKey: t.apiKey,
        body: { action: 'x.y', account_id: crypto.randomUUID() },
      }),
      404,
      'not_found',
    );
  });

  it('rejects malformed bodies with 400', async () => {
    for (const body of [
      {},
      { action: 'Not An Action' },
      { action: 'a.b', resource: { type: 'account' } },
      { action: 'a.b', resource: { type: 'account', attributes: { x: { nested: true } } } },
      { action: 'a.b', account_id: 'nope' },
      { action: 'a.b', extra: 1 },
      { action: 'a'.repeat(200) },
    ]) {
      expectProblem(await api('POST', '/authorize', { apiKey: t.apiKey, body }), 400, 'validation_failed');
    }
  });
});

describe('POST /authorize/batch', () => {
  /** A spread of checks: allowed by role, by rule, denied, another tenant, an unknown type, no resource. */
  const checks = () => [
    { action: 'groups.create' },
    {
      action: 'accounts.read',
      resource: { type: 'account', attributes: { id: t.member.accountId, tenant_id: t.tenant.id } },
    },
    {
      action: 'accounts.read',
      resource: { type: 'account', attributes: { id: t.admin.accountId, tenant_id: t.tenant.id } },
    },
    {
      action: 'accounts.read',
      resource: { type: 'account', attributes: { id: t.member.accountId, tenant_id: crypto.randomUUID() } },
    },
    { action: 'x.read', resource: { type: 'spaceship', attributes: {} } },
    { action: 'transfers.create' },
  ];

  it('answers each check, in order, exactly as POST /authorize answers it', async () => {
    for (const who of [{ token: t.member.token }, { token: t.admin.token }, { token: t.owner.token }]) {
      const { results } = expectOk(
        await api('POST', '/authorize/batch', { ...who, body: { checks: checks() } }),
      );
      const singles = [];
      for (const check of checks())
        singles.push(expectOk(await api('POST', '/authorize', { ...who, body: check })));
      expect(results).toEqual(singles);
    }
    // The spread reaches both answers, or the comparison proves little.
    const { results } = expectOk(
      await api('POST', '/authorize/batch', { token: t.member.token, body: { checks: checks() } }),
    );
    expect(results.map((r: { allowed: boolean }) => r.allowed)).toEqual([
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('decides for another account with the rules of POST /authorize, once for the whole batch', async () => {
    const body = { checks: checks(), account_id: t.admin.accountId };
    const { results } = expectOk(await api('POST', '/authorize/batch', { apiKey: t.apiKey, body }));
    const singles = [];
    for (const check of checks()) {
      singles.push(
        expectOk(
          await api('POST', '/authorize', {
            apiKey: t.apiKey,
            body: { ...check, account_id: t.admin.accountId },
          }),
        ),
      );
    }
    expect(results).toEqual(singles);
    expect(results[0]).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_role', role: 'admin', permission: 'groups.*' },
    });
    // A member may not ask about others: the whole batch is refused, not answered in part.
    expectProblem(await api('POST', '/authorize/batch', { token: t.member.token, body }), 403, 'forbidden');
    expectProblem(
      await api('POST', '/authorize/batch', {
        apiKey: t.apiKey,
        body: { ...body, account_id: crypto.randomUUID() },
      }),
      404,
      'not_found',
    );
  });

  it('rejects malformed bodies with 400, including an empty batch and one over 100 checks', async () => {
    const many = Array.from({ length: 101 }, () => ({ action: 'a.b' }));
    for (const body of [
      {},
      { checks: [] },
      { checks: many },
      { checks: [{ action: 'Not An Action' }] },
      { checks: [{ action: 'a.b', extra: 1 }] },
      { checks: [{ action: 'a.b', resource: { type: 'account' } }] },
      { checks: [{ action: 'a.b' }], account_id: 'nope' },
      { checks: [{ action: 'a.b' }], subject: {} },
      { checks: { action: 'a.b' } },
    ]) {
      expectProblem(
        await api('POST', '/authorize/batch', { apiKey: t.apiKey, body }),
        400,
        'validation_failed',
      );
    }
    const full = expectOk(
      await api('POST', '/authorize/batch', { apiKey: t.apiKey, body: { checks: many.slice(0, 100) } }),
    );
    expect(full.results).toHaveLength(100);
  });
});

describe('POST /authorize/filter', () => {
  it('answers the plan the SDK adapters turn into a query', async () => {
    const mine = expectOk(
      await api('POST', '/authorize/filter', {
        token: t.member.token,
        body: { action: 'accounts.read', resource_type: 'account' },
      }),
    );
    expect(mine.plan).toMatchObject({
      resource_type: 'account',
      tenant: { attribute: 'tenant_id', value: t.tenant.id },
      decision: 'conditional',
      condition: { op: 'eq', attr: 'id', value: t.member.accountId },
    });
    const all = expectOk(
      await api('POST', '/authorize/filter', {
        apiKey: t.apiKey,
        body: { action: 'accounts.read', resource_type: 'account', account_id: t.admin.accountId },
      }),
    );
    expect(all.plan.decision).toBe('always');
    expectProblem(
      await api('POST', '/authorize/filter', {
        apiKey: t.apiKey,
        body: { action: 'a.b', resource_type: 'spaceship' },
      }),
      400,
      'unknown_resource_type',
    );
  });
});
