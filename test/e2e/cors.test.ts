// Browsers on other origins (#18): a tenant's `allowed_origins` and ENFORCER_CORS_ORIGINS decide which web
// origins get CORS answers, preflights included; everyone else's pages cannot read what Enforcer answers.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer({ env: { ENFORCER_CORS_ORIGINS: 'https://console.example.net' } });
const { api } = server;
let t: SeededTenant;

const bankOrigin = 'https://app.acme-bank.example';

beforeAll(async () => {
  t = await seedTenant(server);
});

const setOrigins = (allowed_origins: unknown) =>
  api('PATCH', `/tenants/${t.tenant.id}`, { token: t.owner.token, body: { allowed_origins } });

/** A preflight as Chromium sends it before a JSON POST with a bearer token. */
const preflight = (origin: string, path = '/authorize') =>
  fetch(`${server.baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('allowed_origins (PATCH /tenants/{id})', () => {
  it('stores origins as browsers send them, shows them, and audits the change', async () => {
    const tenant = expectOk(
      await setOrigins([
        `${bankOrigin.toUpperCase().replace('HTTPS', 'https')}:443`,
        'http://localhost:5173',
      ]),
    );
    expect(tenant.allowed_origins).toEqual([bankOrigin, 'http://localhost:5173']);
    expect(
      expectOk(await api('GET', `/tenants/${t.tenant.id}`, { token: t.owner.token })).allowed_origins,
    ).toEqual([bankOrigin, 'http://localhost:5173']);
    const events = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'tenant.updated' });
    expect(events.at(-1)?.details).toMatchObject({ fields: ['allowed_origins'] });
  });

  it('refuses wildcards, paths, plain http beyond localhost, repeats and too many (400, nothing changes)', async () => {
    const before = expectOk(
      await api('GET', `/tenants/${t.tenant.id}`, { token: t.owner.token }),
    ).allowed_origins;
    for (const list of [
      ['*'],
      ['https://*.acme-bank.example'],
      [`${bankOrigin}/`],
      [`${bankOrigin}/app`],
      ['http://app.acme-bank.example'],
      ['null'],
      ['file://'],
      [bankOrigin, `${bankOrigin}:443`],
      Array.from({ length: 21 }, (_, i) => `https://app${i}.example.com`),
      'https://app.example.com',
    ]) {
      expectProblem(await setOrigins(list), 400, 'validation_failed');
    }
    expect(
      expectOk(await api('GET', `/tenants/${t.tenant.id}`, { token: t.owner.token })).allowed_origins,
    ).toEqual(before);
  });

  it('needs tenants.update: a member is refused', async () => {
    expectProblem(
      await api('PATCH', `/tenants/${t.tenant.id}`, { token: t.member.token, body: { allowed_origins: [] } }),
      403,
      'forbidden',
    );
  });
});

describe('CORS answers', () => {
  beforeAll(async () => {
    expectOk(await setOrigins([bankOrigin]));
  });

  it('answers the preflight of an allowed origin: the origin echoed (never *), credentials, methods, headers', async () => {
    const response = await preflight(bankOrigin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(bankOrigin);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
  });

  it('lets the allowed page read the answer of a real call, and the headers it needs', async () => {
    const response = await api('POST', '/authorize', {
      token: t.member.token,
      body: { action: 'groups.read' },
      headers: { origin: bankOrigin },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(bankOrigin);
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
  });

  it('gives any other origin no CORS headers (its page cannot read the answer)', async () => {
    for (const origin of [
      'https://evil.example',
      'https://app.acme-bank.example.evil.example',
      'null',
      'http://localhost:5174',
    ]) {
      const response = await preflight(origin);
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
      const call = await api('POST', '/authorize', {
        token: t.member.token,
        body: { action: 'groups.read' },
        headers: { origin },
      });
      expect(call.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('allows the deployment-wide origins of ENFORCER_CORS_ORIGINS whatever the tenant', async () => {
    const response = await preflight('https://console.example.net', '/auth/otp/request');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://console.example.net');
  });

  it('stops allowing an origin the tenant removed, at once in the process that wrote the change', async () => {
    expect((await preflight(bankOrigin)).headers.get('access-control-allow-origin')).toBe(bankOrigin);
    expectOk(await setOrigins([]));
    expect((await preflight(bankOrigin)).headers.get('access-control-allow-origin')).toBeNull();
    expectOk(await setOrigins([bankOrigin]));
    expect((await preflight(bankOrigin)).headers.get('access-control-allow-origin')).toBe(bankOrigin);
  });
});
