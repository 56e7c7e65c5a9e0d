// Abuse limits on what Enforcer sends (#18): codes and links per destination, per client address (IPv6 by
// its /64), per tenant hour and SMS day, with the default limits (other test files raise them), over HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer({
  env: { SEND_LIMIT_PER_DESTINATION: '5', SEND_LIMIT_PER_CLIENT: '30', TRUST_PROXY: 'true' },
});
const { api, db } = server;

let clients = 0;
/** A client address of its own per test (the server trusts X-Forwarded-For here). */
const newClient = () => ({ 'x-forwarded-for': `198.51.100.${++clients}` });

let tenantCode: string;
let tenantId: string;
beforeAll(async () => {
  const tenant = await seedTenant(db, { authProviders: ['email_otp', 'password', 'phone_otp'] });
  tenantCode = tenant.code;
  tenantId = tenant.id;
});

/** A refusal over a send limit: 429 rate_limited with a Retry-After within the limit's window. */
function expectOverLimit(response: Parameters<typeof expectProblem>[0], windowSeconds: number) {
  expectProblem(response, 429, 'rate_limited');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

const requestCode = (body: Record<string, unknown>, headers: Record<string, string>) =>
  api('POST', '/auth/otp/request', { body: { tenant_code: tenantCode, ...body }, headers });

describe('per destination', () => {
  it('sends five codes an hour to one address, then 429 rate_limited with Retry-After, the same for unknown and known emails', async () => {
    const headers = newClient();
    const known = (await db.seedAccount({ tenantId, role: 'member', email: uniqueEmail('known') })).email;
    for (const email of [known, uniqueEmail('unknown')]) {
      for (let i = 0; i < 5; i++) expect((await requestCode({ email }, headers)).status).toBe(200);
      const refused = await requestCode({ email }, headers);
      expectProblem(refused, 429, 'rate_limited');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    // A refused request issued nothing: five codes, five audit events, per address.
    const events = await db.auditEvents({ tenantId, action: 'auth.otp.requested' });
    expect(events.filter((e) => (e.details as { email?: string }).email === known)).toHaveLength(5);
  });

  it('shares the budget between sign-in codes and password reset codes', async () => {
    const headers = newClient();
    const email = uniqueEmail('reset');
    for (let i = 0; i < 5; i++) expect((await requestCode({ email }, headers)).status).toBe(200);
    expectProblem(
      await api('POST', '/auth/password/reset/request', {
        body: { email, tenant_code: tenantCode },
        headers,
      }),
      429,
      'rate_limited',
    );
  });
});

describe('per client address', () => {
  it('sends thirty codes an hour from one IPv6 /64, whatever the address in it, then 429', async () => {
    for (let i = 0; i < 30; i++) {
      const headers = { 'x-forwarded-for': `2001:db8:77:1::${(i + 1).toString(16)}` };
      expect((await requestCode({ email: uniqueEmail('net') }, headers)).status, `request ${i + 1}`).toBe(
        200,
      );
    }
    expectOverLimit(
      await requestCode({ email: uniqueEmail('net') }, { 'x-forwarded-for': '2001:db8:77:1:ffff::1' }),
      3600,
    );
    // Another /64 is another client.
    expect(
      (await requestCode({ email: uniqueEmail('net') }, { 'x-forwarded-for': '2001:db8:77:2::1' })).status,
    ).toBe(200);
  });
});

describe('per tenant (limits.max_code_sends_per_hour, limits.max_sms_per_day)', () => {
  it('caps the SMS a tenant sends in a day and the codes in an hour, as its owner set them', async () => {
    const tenant = await seedTenant(db, { authProviders: ['email_otp', 'phone_otp'] });
    const owner = await db.seedAccount({ tenantId: tenant.id, role: 'owner', email: uniqueEmail('owner') });
    const { accessToken } = await server.signIn({ accountId: owner.accountId, amr: ['otp'] });
    const set = await api('PATCH', `/tenants/${tenant.id}`, {
      token: accessToken,
      body: { limits: { max_sms_per_day: 2, max_code_sends_per_hour: 3 } },
    });
    expect(set.status).toBe(200);
    expect(set.body.limits).toMatchObject({ max_sms_per_day: 2, max_code_sends_per_hour: 3 });

    const headers = newClient();
    const ask = (body: Record<string, unknown>) =>
      api('POST', '/auth/otp/request', { body: { tenant_code: tenant.code, ...body }, headers });
    expect((await ask({ phone: '+15555550101' })).status).toBe(200);
    expect((await ask({ phone: '+15555550102' })).status).toBe(200);
    expectOverLimit(await ask({ phone: '+15555550103' }), 86_400);
    expect((await ask({ email: uniqueEmail('t') })).status).toBe(200);
    expectOverLimit(await ask({ email: uniqueEmail('t') }), 3600);
    // Another tenant's budget is its own.
    expect((await requestCode({ email: uniqueEmail('other') }, headers)).status).toBe(200);
  });
});
