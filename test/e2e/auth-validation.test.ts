import { describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, signIn, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
const tenant = await seedTenant(server.db);
const session = await signIn(api, uniqueEmail(), tenant.code);

/** Every auth route with a body, with one valid body each (a valid body that gets past validation). */
const routes: Array<{ path: string; user: boolean; valid: Record<string, unknown> }> = [
  { path: '/auth/register', user: false, valid: { provider: 'email_otp', email: 'a@example.com' } },
  { path: '/auth/otp/request', user: false, valid: { email: 'a@example.com' } },
  {
    path: '/auth/login',
    user: false,
    valid: { provider: 'email_otp', email: 'a@example.com', otp: '123456', tenant_code: 'ABCD-EFGH-JKMN' },
  },
  { path: '/auth/refresh', user: false, valid: { refresh_token: 'ert_x' } },
  { path: '/auth/logout', user: false, valid: { refresh_token: 'ert_x' } },
  { path: '/auth/tenant/join', user: true, valid: { tenant_code: 'ABCD-EFGH-JKMN' } },
  { path: '/auth/tenant/switch', user: true, valid: { tenant_id: '00000000-0000-4000-8000-000000000000' } },
  { path: '/auth/invites/accept', user: true, valid: { code: 'inv_x' } },
  { path: '/tenants/self-serve', user: false, valid: { name: 'Acme', admin_email: 'a@example.com' } },
  { path: '/tenants', user: true, valid: { name: 'Acme' } },
];

const post = (route: (typeof routes)[number], options: Parameters<typeof api>[2]) =>
  api('POST', route.path, { ...options, ...(route.user ? { token: session.token } : {}) });

describe.each(routes)('POST $path rejects bad input with a 4xx problem', (route) => {
  it('malformed JSON: 400 bad_request', async () => {
    expectProblem(await post(route, { raw: '{"email": ' }), 400, 'bad_request');
  });

  it('an empty JSON body: 400 bad_request', async () => {
    expectProblem(await post(route, { raw: '' }), 400, 'bad_request');
  });

  it('not an object (array, null, string, number): 400 validation_failed', async () => {
    for (const raw of ['[]', 'null', '"x"', '42']) {
      expectProblem(await post(route, { raw }), 400, 'validation_failed');
    }
  });

  it('every field of the wrong type: 400 validation_failed', async () => {
    for (const field of Object.keys(route.valid)) {
      for (const wrong of [12345, true, null, ['x'], { x: 1 }]) {
        expectProblem(
          await post(route, { body: { ...route.valid, [field]: wrong } }),
          400,
          'validation_failed',
        );
      }
    }
  });

  it('a missing field: 400 validation_failed', async () => {
    for (const field of Object.keys(route.valid)) {
      if (route.path === '/auth/logout') continue; // every logout field is optional
      const { [field]: _omitted, ...rest } = route.valid;
      if (route.path === '/auth/refresh') {
        // The refresh token may come from the cookie instead (cookie mode, #18): without either, it is the
        // token that is missing, not a field.
        expectProblem(await post(route, { body: rest }), 401, 'refresh_token_invalid');
        continue;
      }
      expectProblem(await post(route, { body: rest }), 400, 'validation_failed');
    }
  });

  it('every string field oversized: 400 validation_failed', async () => {
    for (const [field, value] of Object.entries(route.valid)) {
      if (typeof value !== 'string') continue;
      const response = await post(route, {
        body: { ...route.valid, [field]: `${'x'.repeat(5000)}@example.com` },
      });
      expectProblem(response, 400, 'validation_failed');
    }
  });

  it('an unknown field (a typo): 400 validation_failed', async () => {
    const response = await post(route, { body: { ...route.valid, tenantCode: 'ABCD-EFGH-JKMN' } });
    expectProblem(response, 400, 'validation_failed');
  });

  it('a body over the size limit: 413 payload_too_large', async () => {
    const response = await post(route, { body: { ...route.valid, padding: 'x'.repeat(70_000) } });
    expectProblem(response, 413, 'payload_too_large');
  });

  it('another content type: 415 unsupported_media_type', async () => {
    expectProblem(
      await post(route, { raw: '<email/>', contentType: 'application/xml' }),
      415,
      'unsupported_media_type',
    );
  });
});

describe('field rules', () => {
  it('a validation problem names each bad field in errors[] (docs/errors.md)', async () => {
    const response = await api('POST', '/auth/refresh', { body: { refresh_token: ['x'] } });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'body.refresh_token' })]);
  });

  it('login: provider must be a known method, otp six digits, tenant_code well-formed, fields present', async () => {
    const valid = { provider: 'email_otp', email: 'a@example.com', otp: '123456', tenant_code: tenant.code };
    const cases: Array<Record<string, unknown>> = [
      { ...valid, provider: 'carrier_pigeon' },
      { ...valid, provider: 'password' }, // a real id, but no strategy in the contract yet
      { ...valid, otp: '12345' },
      { ...valid, otp: '1234567' },
      { ...valid, otp: 'abcdef' },
      { ...valid, tenant_code: 'nope' },
      { ...valid, email: 'not-an-email' },
      { provider: 'email_otp', email: 'a@example.com', otp: '123456' },
      {},
    ];
    for (const body of cases)
      expectProblem(await api('POST', '/auth/login', { body }), 400, 'validation_failed');
  });

  it('self-serve: otp six digits, name non-empty after trimming', async () => {
    for (const body of [
      { name: '   ', admin_email: 'a@example.com' },
      { name: 'Acme', admin_email: 'a@example.com', otp: '12' },
      { name: 'x'.repeat(101), admin_email: 'a@example.com' },
    ]) {
      expectProblem(await api('POST', '/tenants/self-serve', { body }), 400, 'validation_failed');
    }
  });

  it('GET /auth/tenants: limit out of range or not a number', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', `cursor=${'x'.repeat(600)}`]) {
      expectProblem(
        await api('GET', `/auth/tenants?${query}`, { token: session.token }),
        400,
        'validation_failed',
      );
    }
  });

  it('user routes refuse a missing, malformed or API-key credential before anything else', async () => {
    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['GET', '/auth/permissions'],
      ['GET', '/auth/tenants'],
      ['POST', '/auth/tenant/switch'],
    ] as const) {
      expectProblem(await api(method, path), 401, 'unauthenticated');
      expectProblem(await api(method, path, { token: 'abc.def.ghi' }), 401, 'token_invalid');
      expectProblem(
        await api(method, path, { headers: { authorization: 'Basic abc' } }),
        401,
        'unauthenticated',
      );
    }
  });

  it("the seed's curl without a Content-Type (form-labelled JSON) is read as JSON", async () => {
    const response = await api('POST', '/auth/otp/request', {
      raw: JSON.stringify({ email: uniqueEmail(), tenant_code: tenant.code }),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(200);
  });
});
