import { randomDigits, webCryptoRandom } from '@enforcer/core';
import { ManualClock } from '@enforcer/server/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, requestCode, seedTenant, uniqueEmail, wrongCode } from './auth-fixtures.js';
import { startServer } from './harness.js';
import { startSmtpSink } from './smtp-sink.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api } = server;
const tenant = await seedTenant(server.db);

const login = (email: string, otp: string, tenantCode = tenant.code) =>
  api('POST', '/auth/login', { body: { provider: 'email_otp', email, otp, tenant_code: tenantCode } });

describe('one-time codes', () => {
  it('are six digits from the CSPRNG, uniformly spread', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 2000; i++) {
      const code = randomDigits(webCryptoRandom);
      expect(code).toMatch(/^\d{6}$/);
      for (const digit of code) counts[Number(digit)]++;
    }
    // 12,000 digits: each of the ten should be near 1,200.
    for (const count of counts) expect(count).toBeGreaterThan(1000);
  });

  it('are stored only as a keyed hash, expire after 10 minutes', async () => {
    const email = uniqueEmail();
    const response = await api('POST', '/auth/otp/request', { body: { email, tenant_code: tenant.code } });
    const row = await server.db.records('otpChallenges').one({ email });
    expect(row.codeHash).not.toContain(response.body.code);
    expect(row.codeHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(response.body.expires_at).getTime() - clock.now().getTime()).toBe(600_000);
    expect(row.expiresAt.toISOString()).toBe(response.body.expires_at);
  });

  it('work once', async () => {
    const email = uniqueEmail();
    const otp = await requestCode(api, email, tenant.code);
    expect((await login(email, otp)).status).toBe(200);
    expectProblem(await login(email, otp), 401, 'invalid_otp');
  });

  it('stop working after 10 minutes', async () => {
    const email = uniqueEmail();
    const otp = await requestCode(api, email, tenant.code);
    clock.advance(601);
    expectProblem(await login(email, otp), 401, 'invalid_otp');
  });

  it('work until the last second of their 10 minutes', async () => {
    const email = uniqueEmail();
    const otp = await requestCode(api, email, tenant.code);
    clock.advance(599);
    expect((await login(email, otp)).status).toBe(200);
  });

  it('are burnt by the fifth wrong try (429 otp_attempts_exceeded), after which even the right code fails', async () => {
    const email = uniqueEmail();
    const otp = await requestCode(api, email, tenant.code);
    for (let i = 0; i < 4; i++) expectProblem(await login(email, wrongCode(otp)), 401, 'invalid_otp');
    const fifth = await login(email, wrongCode(otp));
    expectProblem(fifth, 429, 'otp_attempts_exceeded');
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
    expectProblem(await login(email, otp), 429, 'otp_attempts_exceeded');
    // Asking for a new code does not reset the count: refused until the burnt code expires.
    const again = await api('POST', '/auth/otp/request', { body: { email, tenant_code: tenant.code } });
    expectProblem(again, 429, 'otp_attempts_exceeded');
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    clock.advance(601);
    const fresh = await requestCode(api, email, tenant.code);
    expect((await login(email, fresh)).status).toBe(200);
  });

  it('requesting a new code supersedes the old one and keeps its count of wrong tries', async () => {
    const email = uniqueEmail();
    const first = await requestCode(api, email, tenant.code);
    for (let i = 0; i < 3; i++) expectProblem(await login(email, wrongCode(first)), 401, 'invalid_otp');
    const second = await requestCode(api, email, tenant.code);
    if (second !== first)
      expectProblem(await login(email, first), 401, 'invalid_otp'); // 4th wrong try
    else expectProblem(await login(email, wrongCode(first)), 401, 'invalid_otp');
    expectProblem(await login(email, wrongCode(second)), 429, 'otp_attempts_exceeded');
    expectProblem(await login(email, second), 429, 'otp_attempts_exceeded');
  });

  it('are bound to their email, tenant and purpose', async () => {
    const email = uniqueEmail();
    const other = await seedTenant(server.db);
    const forOther = await requestCode(api, email, other.code);
    expectProblem(await login(email, forOther), 401, 'invalid_otp');
    const proofOnly = await requestCode(api, email); // no tenant code: proves the email only
    expectProblem(await login(email, proofOnly), 401, 'invalid_otp');
    const mine = await requestCode(api, email, tenant.code);
    expectProblem(await login(uniqueEmail(), mine), 401, 'invalid_otp');
    expect((await login(email, mine)).status).toBe(200);
  });

  it('one code, two simultaneous logins: exactly one succeeds', async () => {
    const email = uniqueEmail();
    const otp = await requestCode(api, email, tenant.code);
    const results = await Promise.all([login(email, otp), login(email, otp), login(email, otp)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('first logins racing for a new person create one person and one account', async () => {
    const email = uniqueEmail();
    const other = await seedTenant(server.db);
    const a = await requestCode(api, email, tenant.code);
    const b = await requestCode(api, email, other.code);
    const [x, y] = await Promise.all([login(email, a), login(email, b, other.code)]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(x.body.person.id).toBe(y.body.person.id);
  });

  it('are audited without the code', async () => {
    const email = uniqueEmail();
    const otp = await requestCode(api, email, tenant.code);
    await login(email, wrongCode(otp));
    const { body } = await login(email, otp);
    const mine = [{ details: { email } }, { actorId: { $in: [body.account.id, body.person.id] } }];
    const events = await server.db.auditEvents({ tenantId: tenant.id, $or: mine });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'auth.otp.requested',
        'auth.login.failed',
        'auth.account.created',
        'auth.login.succeeded',
      ]),
    );
    const all = await server.db.auditEvents({});
    expect(JSON.stringify(all)).not.toContain(otp);
    expect(JSON.stringify(all)).not.toContain(wrongCode(otp));
  });
});

describe('POST /auth/otp/request answers the same for known and unknown emails', () => {
  it('same status, same body (development: code included in both)', async () => {
    const known = uniqueEmail('known');
    await requestCode(api, known, tenant.code);
    await login(known, await requestCode(api, known, tenant.code));
    const unknown = uniqueEmail('unknown');
    const a = await api('POST', '/auth/otp/request', { body: { email: known, tenant_code: tenant.code } });
    const b = await api('POST', '/auth/otp/request', { body: { email: unknown, tenant_code: tenant.code } });
    expect(a.status).toBe(b.status);
    expect(Object.keys(a.body).sort()).toEqual(Object.keys(b.body).sort());
    expect(a.body.expires_at).toBe(b.body.expires_at); // the clock is stopped
  });
});

describe('production mode', async () => {
  const sink = await startSmtpSink();
  afterAll(() => sink.close());
  const productionEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    ENFORCER_ISSUER: 'https://enforcer.test/api/v1/enforcer',
    ENFORCER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  const production = await startServer({
    clock,
    env: { ...productionEnv, SMTP_URL: sink.url, MAIL_FROM: 'Acme <no-reply@acme.test>' },
  });
  const tenant = await seedTenant(production.db);

  it('never puts the code in the answer; the code arrives by SMTP and signs in', async () => {
    const email = uniqueEmail('prod');
    const response = await production.api('POST', '/auth/otp/request', {
      body: { email, tenant_code: tenant.code },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sent: true, channel: 'email', expires_at: expect.any(String) });
    expect(JSON.stringify(response.body)).not.toMatch(/\d{6}/);
    const mail = await sink.waitFor((m) => m.to.includes(email));
    expect(mail.from).toBe('no-reply@acme.test');
    expect(mail.data).toMatch(/^Subject: Your sign-in code for Acme Pay$/m);
    const code = /^\s+(\d{6})\s*$/m.exec(mail.data)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.data.split('\r\n\r\n')[0]).not.toContain(code); // not in any header
    const signedIn = await production.api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp: code, tenant_code: tenant.code },
    });
    expect(signedIn.status).toBe(200);
  });

  it('identical answers for a known and an unknown email', async () => {
    const known = uniqueEmail('known');
    await seedKnown(known);
    const unknown = uniqueEmail('nobody');
    const a = await production.api('POST', '/auth/otp/request', {
      body: { email: known, tenant_code: tenant.code },
    });
    const b = await production.api('POST', '/auth/otp/request', {
      body: { email: unknown, tenant_code: tenant.code },
    });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body).toEqual(b.body);
    const c = await production.api('POST', '/auth/otp/request', { body: { email: known } });
    const d = await production.api('POST', '/auth/otp/request', { body: { email: unknown } });
    expect(c.body).toEqual(d.body);
    expect(c.body.code).toBeUndefined();
  });

  it('a mail server that is down fails nothing: the code (with or without a tenant) waits in the outbox', async () => {
    const down = await startSmtpSink();
    const url = down.url;
    await down.close();
    const broken = await startServer({
      shareDatabaseWith: production,
      clock,
      env: { ...productionEnv, SMTP_URL: url, MESSAGE_WORKER: 'false' },
    });
    const email = uniqueEmail('down');
    const response = await broken.api('POST', '/auth/otp/request', { body: { email } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sent: true, channel: 'email', expires_at: expect.any(String) });
    await broken.close();
    // The running server's worker delivers it (a code proving the address: no tenant, the built-in text).
    const mail = await sink.waitFor((m) => m.to.includes(email));
    expect(mail.data).toMatch(/^Subject: Your verification code$/m);
    expect(mail.data).toMatch(/confirm your email address/);
  });

  async function seedKnown(email: string) {
    await production.api('POST', '/auth/otp/request', { body: { email, tenant_code: tenant.code } });
    const mail = await sink.waitFor((m) => m.to.includes(email));
    const otp = /^\s+(\d{6})\s*$/m.exec(mail.data)?.[1];
    const response = await production.api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
    });
    expect(response.status).toBe(200);
  }
});
