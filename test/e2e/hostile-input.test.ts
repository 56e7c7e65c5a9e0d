// Issue #11's reproductions, each kept as a regression test: hostile input gets a 4xx problem, the
// server keeps serving, and nothing refused is written.
import { describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, seedTenant } from './admin-setup.js';
import { type ApiResponse, startServer } from './harness.js';

const server = await startServer();
const { api } = server;
const seeded = await seedTenant(server);
const { owner, member } = seeded;
const tenantId = seeded.tenant.id;
const tenantCode = seeded.tenant.code;

/** The server still answers (no crash, no wedged event loop). */
async function expectAlive() {
  const health = await fetch(`${server.origin}/healthz`);
  expect(health.status).toBe(200);
}

/** Sends raw bytes (fetch would re-encode a string as UTF-8). */
async function sendBytes(method: string, path: string, bytes: Uint8Array, headers: Record<string, string>) {
  const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body: Buffer.from(bytes) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const hostileStrings: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', 'x\udc00y'],
];

describe('POST /auth/magic-link/request with a bad redirect_url (once crashed the process)', () => {
  const values = ['notaurl', '', 'http://', 'a\u0000b', '\ud800', 'x'.repeat(60_000), 'https://'];
  it.each(values.map((value) => [value.slice(0, 12), value]))(
    '%j: 400, and the server lives',
    async (_, value) => {
      const response = await api('POST', '/auth/magic-link/request', {
        body: { email: 'someone@example.com', tenant_code: tenantCode, redirect_url: value },
      });
      const problem = expectProblem(response, 400, 'validation_failed');
      expectFieldError(problem, 'body.redirect_url');
      await expectAlive();
    },
  );

  it('for a tenant code that does not exist too', async () => {
    const response = await api('POST', '/auth/magic-link/request', {
      body: { email: 'someone@example.com', tenant_code: 'ZZZZ-ZZZZ-ZZZZ', redirect_url: 'notaurl' },
    });
    expectProblem(response, 400, 'validation_failed');
    await expectAlive();
  });

  it('invalid UTF-8 in the body: 400 bad_request', async () => {
    const head = new TextEncoder().encode(
      `{"email":"a@example.com","tenant_code":"${tenantCode}","redirect_url":"https://x.example/`,
    );
    const bytes = new Uint8Array([...head, 0xff, 0xfe, 0x22, 0x7d]);
    const response = await sendBytes('POST', '/auth/magic-link/request', bytes, {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('bad_request');
  });
});

describe('nesting is bounded before any schema sees the body', () => {
  const nestedNot = (depth: number) => {
    let condition: unknown = { eq: ['resource.owner_id', 'subject.id'] };
    for (let i = 0; i < depth; i++) condition = { not: condition };
    return condition;
  };

  it('PUT /policy with `not` nested 3,000 deep: 400 naming the depth, and the server lives', async () => {
    const current = expectOk(await api('GET', '/policy', { token: owner.token }));
    const document = structuredClone(current.document);
    document.rules = [
      ...document.rules,
      {
        name: 'deep',
        effect: 'deny',
        actions: ['accounts.read'],
        resource: 'account',
        condition: nestedNot(3000),
      },
    ];
    const response = await api('PUT', '/policy', { token: owner.token, body: document });
    const problem = expectProblem(response, 400, 'validation_failed');
    expect(problem.errors?.[0]?.message).toMatch(/deeper than 64 levels/);
    await expectAlive();
    // Nothing was stored.
    const after = expectOk(await api('GET', '/policy', { token: owner.token }));
    expect(after.etag).toBe(current.etag);
  });

  it('an array nested 10,000 deep on an unauthenticated route: 400', async () => {
    const raw = `{"email":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expectProblem(await api('POST', '/auth/otp/request', { raw }), 400, 'validation_failed');
    await expectAlive();
  });

  it('64 levels are fine (refused by the schema, not by the limit)', async () => {
    const raw = `{"email":${'['.repeat(62)}${']'.repeat(62)}}`;
    const problem = expectProblem(await api('POST', '/auth/otp/request', { raw }), 400, 'validation_failed');
    expect(problem.errors?.[0]?.message).not.toMatch(/deeper than/);
  });
});

describe('strings PostgreSQL cannot store are refused, and nothing is written', () => {
  const tenantNames = async () =>
    expectOk(await api('GET', `/tenants/${tenantId}`, { token: owner.token })).name as string;
  const apiKeyCount = async () =>
    expectOk(await api('GET', '/api-keys', { token: owner.token })).data.length as number;

  it.each(hostileStrings)('POST /tenants with %s in the name: 400', async (_, value) => {
    const response = await api('POST', '/tenants', { token: owner.token, body: { name: value } });
    expectFieldError(expectProblem(response, 400, 'validation_failed'), 'body.name');
  });

  it.each(hostileStrings)(
    'PATCH /tenants/{id} with %s in the name: 400, name unchanged',
    async (_, value) => {
      const before = await tenantNames();
      const response = await api('PATCH', `/tenants/${tenantId}`, {
        token: owner.token,
        body: { name: value },
      });
      expectFieldError(expectProblem(response, 400, 'validation_failed'), 'body.name');
      expect(await tenantNames()).toBe(before);
    },
  );

  it.each(hostileStrings)('POST /api-keys with %s in the name: 400, no key created', async (_, value) => {
    const before = await apiKeyCount();
    const response = await api('POST', '/api-keys', { token: owner.token, body: { name: value } });
    expectFieldError(expectProblem(response, 400, 'validation_failed'), 'body.name');
    expect(await apiKeyCount()).toBe(before);
  });

  it('a NUL in an object key: 400', async () => {
    const response = await api('POST', '/api-keys', {
      token: owner.token,
      raw: '{"name":"k","\\u0000":1}',
    });
    expectProblem(response, 400, 'validation_failed');
  });

  it('a NUL in a query parameter: 400 naming it', async () => {
    const response = await api('GET', '/accounts?cursor=a%00b', { token: owner.token });
    expectFieldError(expectProblem(response, 400, 'validation_failed'), 'query.cursor');
  });
});

describe('every 4xx is a problem document', () => {
  const isProblem = (response: ApiResponse | Response) =>
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);

  it('a 5,000-character path parameter: 414 uri_too_long', async () => {
    const response = await api('GET', `/accounts/${'a'.repeat(5000)}`, { token: owner.token });
    expectProblem(response, 414, 'uri_too_long');
  });

  it('malformed percent-encoding in the path: 400 bad_request', async () => {
    for (const path of ['/accounts/%ff', '/groups/%E0%A4%A', '/api-keys/%']) {
      const response = await api('GET', path, { token: owner.token });
      expectProblem(response, 400, 'bad_request');
    }
  });

  it('request headers too large: 431 headers_too_large', async () => {
    const response = await fetch(`${server.baseUrl}/auth/me`, { headers: { 'x-big': 'a'.repeat(70_000) } });
    expect(response.status).toBe(431);
    isProblem(response);
    expect((await response.json()).code).toBe('headers_too_large');
  });

  it('a JSON body in another charset: 415', async () => {
    const response = await api('POST', '/auth/otp/request', {
      raw: JSON.stringify({ email: 'a@example.com' }),
      contentType: 'application/json; charset=utf-16',
    });
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('charset=UTF-8 (any case, quoted) is fine', async () => {
    for (const contentType of ['application/json; charset=UTF-8', 'application/json;charset="utf-8"']) {
      const response = await api('POST', '/auth/otp/request', {
        raw: JSON.stringify({ email: 'someone@example.com', tenant_code: tenantCode }),
        contentType,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
    }
  });
});

describe('routes that take no body refuse one', () => {
  const bodies = ['null', '[]', '"x"', '123', '{}'];

  it.each(bodies)('POST /auth/mfa/totp/enroll with %s: 400, nothing enrolled', async (raw) => {
    const response = await api('POST', '/auth/mfa/totp/enroll', { token: owner.token, raw });
    expectProblem(response, 400, 'bad_request');
    const status = expectOk(await api('GET', '/auth/mfa', { token: owner.token }));
    expect(status.totp_enabled ?? status.enabled ?? false).toBe(false);
  });

  it.each(bodies)('POST /accounts/{id}/unlock with %s: 400', async (raw) => {
    const response = await api('POST', `/accounts/${member.accountId}/unlock`, { token: owner.token, raw });
    expectProblem(response, 400, 'bad_request');
  });

  it('without a body they still work', async () => {
    const response = await api('POST', `/accounts/${member.accountId}/unlock`, { token: owner.token });
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  });
});

describe('lists are filtered by the policy, not refused (docs/server.md says so)', () => {
  it('a member lists accounts: only their own', async () => {
    const page = expectOk(await api('GET', '/accounts', { token: member.token }));
    expect(page.data.map((account: { id: string }) => account.id)).toEqual([member.accountId]);
  });

  it('an owner lists every account of the tenant', async () => {
    const page = expectOk(await api('GET', '/accounts', { token: owner.token }));
    expect(page.data.length).toBeGreaterThanOrEqual(3);
  });
});
