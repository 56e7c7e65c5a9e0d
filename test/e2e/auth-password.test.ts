import { ManualClock } from '@enforcer/server/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, signIn, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';
import { startSmtpSink } from './smtp-sink.js';

const clock = new ManualClock(new Date());
// The server's own argon2id parameters (other e2e files use the cheapest: test/e2e/harness.ts).
const server = await startServer({ clock, passwordHashing: 'production' });
const { api } = server;
const tenant = await seedTenant(server.db, { authProviders: ['email_otp', 'password'] });

const GOOD = 'correct horse battery staple';

const register = (email: string, password: string, tenantCode: string | undefined = tenant.code) =>
  api('POST', '/auth/register', {
    body: { provider: 'password', email, password, ...(tenantCode ? { tenant_code: tenantCode } : {}) },
  });
const login = (email: string, password: string, tenantCode = tenant.code) =>
  api('POST', '/auth/login', { body: { provider: 'password', email, password, tenant_code: tenantCode } });

async function registered(password = GOOD) {
  const email = uniqueEmail('pw');
  const response = await register(email, password);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return email;
}

describe('registration and login with a password', () => {
  it('registers (202, next: login), then signs in with amr pwd and an unverified email', async () => {
    const email = uniqueEmail('pw');
    const response = await register(email, GOOD);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: true, next: 'login' });
    const signedIn = await login(email, GOOD);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.person).toMatchObject({ email, email_verified: false });
    const me = await api('GET', '/auth/me', { token: signedIn.body.token });
    expect(me.body.session.amr).toEqual(['pwd']);
  });

  it('stores only an argon2id hash (m=19456 KiB, t=2, p=1), never the password', async () => {
    const email = await registered();
    const person = await server.db.records('people').one({ email });
    const row = await server.db.records('passwords').one({ person: person.id });
    expect(row.hash).toMatch(/^\$argon2id\$v=19\$/);
    const params = /^\$argon2id\$v=19\$([^$]+)\$/.exec(row.hash)![1]!.split(',').sort();
    expect(params).toEqual(['m=19456', 'p=1', 't=2']);
    expect(row.hash).not.toContain(GOOD);
    const audit = await server.db.auditEvents();
    expect(JSON.stringify(audit)).not.toContain(GOOD);
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const email = await registered();
    const wrong = await login(email, 'not the right one at all');
    const unknown = await login(uniqueEmail('nobody'), GOOD);
    expectProblem(wrong, 401, 'invalid_credentials');
    expectProblem(unknown, 401, 'invalid_credentials');
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it('registering a known email answers the same and changes nothing', async () => {
    const email = await registered();
    const again = await register(email, 'a completely different passphrase');
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ accepted: true, next: 'login' });
    expect((await login(email, GOOD)).status).toBe(200);
    expectProblem(await login(email, 'a completely different passphrase'), 401, 'invalid_credentials');
  });

  it('a person who signed up with an email code has no password until they set one', async () => {
    const email = uniqueEmail('otp');
    await signIn(api, email, tenant.code);
    expectProblem(await login(email, GOOD), 401, 'invalid_credentials');
    expect((await register(email, GOOD)).status).toBe(202);
    expectProblem(await login(email, GOOD), 401, 'invalid_credentials');
  });

  it('accepts long passwords without truncating them, and compares them NFKC-normalised', async () => {
    const long = 'pass phrase with many words '.repeat(10).slice(0, 256);
    expect([...long].length).toBe(256);
    const email = await registered(long);
    expect((await login(email, long)).status).toBe(200);
    expectProblem(await login(email, long.slice(0, 255)), 401, 'invalid_credentials');
    expectProblem(await login(email, `${long.slice(0, 255)}X`), 401, 'invalid_credentials');

    const composed = 'Café crème brûlée à volonté';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const other = await registered(composed);
    expect((await login(other, decomposed)).status).toBe(200);
  });

  it('a method the tenant does not accept is refused (provider_not_allowed)', async () => {
    const otpOnly = await seedTenant(server.db, { authProviders: ['email_otp'] });
    const email = await registered();
    expectProblem(await login(email, GOOD, otpOnly.code), 403, 'provider_not_allowed');
    expectProblem(await register(uniqueEmail(), GOOD, otpOnly.code), 403, 'provider_not_allowed');
    expectProblem(
      await api('POST', '/auth/password/reset/request', { body: { email, tenant_code: otpOnly.code } }),
      403,
      'provider_not_allowed',
    );
  });
});

describe('password policy (NIST SP 800-63B)', () => {
  it('needs 8 characters, allows 256, refuses 257 (400 validation_failed on the field)', async () => {
    const short = await register(uniqueEmail(), 'x7#kQ2p');
    expectProblem(short, 400, 'validation_failed');
    expect(short.body.errors).toEqual([
      { path: 'body.password', message: expect.stringMatching(/at least 8/) },
    ]);
    expect((await register(uniqueEmail(), 'Zk9vQm2L')).status).toBe(202);
    const tooLong = await register(uniqueEmail(), 'ab3'.repeat(86));
    expectProblem(tooLong, 400, 'validation_failed');
    expect(tooLong.body.errors[0].message).toMatch(/at most 256/);
  });

  it('counts characters, not UTF-16 units: eight emoji are a valid length', async () => {
    expect((await register(uniqueEmail(), '🦊🐙🦉🐝🦀🐢🦔🐳')).status).toBe(202);
  });

  it.each([
    ['password', 'is one of the most commonly used passwords'],
    ['12345678', 'is one of the most commonly used passwords'],
    ['Password123', 'is one of the most commonly used passwords'],
    ['P@ssw0rd!', 'is one of the most commonly used passwords'],
    ['Summer2024!', 'is one of the most commonly used passwords'],
    ['qwertyuiop', 'is one of the most commonly used passwords'],
    ['iloveyou4ever', 'is a common password with a few characters added'],
    ['aaaaaaaaaaaa', 'repeats one short sequence of characters'],
    ['abcabcabcabc', 'repeats one short sequence of characters'],
    ['abcdefghijk', 'is a run of consecutive characters'],
    ['enforcer2024', 'is too close to the name of the service'],
  ])('refuses %j with the reason (400 weak_password)', async (password, reason) => {
    const response = await register(uniqueEmail(), password);
    expectProblem(response, 400, 'weak_password');
    expect(response.body.errors).toEqual([
      { path: 'body.password', message: expect.stringContaining(reason) },
    ]);
  });

  it('refuses a password built on the email address', async () => {
    const email = `marguerite.duras-${Date.now().toString(36)}@example.com`;
    const local = email.split('@')[0]!;
    const response = await register(email, `${local}!1`);
    expectProblem(response, 400, 'weak_password');
    expect(response.body.detail).toMatch(/your email address/);
  });

  it('has no composition rules: a lower-case passphrase is fine', async () => {
    expect((await register(uniqueEmail(), 'violet tractor drums at noon')).status).toBe(202);
  });
});

describe('POST /auth/password/change', () => {
  it('needs the current password, refuses weak new ones, and ends every other session', async () => {
    const email = await registered();
    const mine = (await login(email, GOOD)).body;
    const other = (await login(email, GOOD)).body;
    const change = (body: object) => api('POST', '/auth/password/change', { token: mine.token, body });

    expectProblem(
      await change({ current_password: 'wrong passphrase here', new_password: 'fresh new passphrase' }),
      401,
      'invalid_credentials',
    );
    const weak = await change({ current_password: GOOD, new_password: 'password1' });
    expectProblem(weak, 400, 'weak_password');
    expect(weak.body.errors[0].path).toBe('body.new_password');

    const changed = await change({ current_password: GOOD, new_password: 'fresh new passphrase' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toEqual({ changed: true, sessions_revoked: 1 });

    expectProblem(await api('GET', '/auth/me', { token: other.token }), 401, 'token_invalid');
    expectProblem(
      await api('POST', '/auth/refresh', { body: { refresh_token: other.refresh_token } }),
      401,
      'refresh_token_invalid',
    );
    expect((await api('GET', '/auth/me', { token: mine.token })).status).toBe(200);
    expectProblem(await login(email, GOOD), 401, 'invalid_credentials');
    expect((await login(email, 'fresh new passphrase')).status).toBe(200);

    const events = await server.db.auditEvents({ actorId: mine.account.id });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.password.change_failed', 'auth.password.changed']),
    );
  });

  it('is 409 for an account without a password, and needs a user token', async () => {
    const { token } = await signIn(api, uniqueEmail('otp'), tenant.code);
    expectProblem(
      await api('POST', '/auth/password/change', {
        token,
        body: { current_password: 'anything', new_password: 'fresh new passphrase' },
      }),
      409,
      'conflict',
    );
    expectProblem(
      await api('POST', '/auth/password/change', {
        body: { current_password: 'anything', new_password: 'fresh new passphrase' },
      }),
      401,
      'unauthenticated',
    );
  });

  it('rejects bad input with 400 problems', async () => {
    const email = await registered();
    const { token } = (await login(email, GOOD)).body;
    const bad = await api('POST', '/auth/password/change', {
      token,
      body: { current_password: GOOD, newPassword: 'fresh new passphrase' },
    });
    expectProblem(bad, 400, 'validation_failed');
    expectProblem(
      await api('POST', '/auth/password/change', { token, raw: '{"current' }),
      400,
      'bad_request',
    );
  });
});

describe('pre-hijacking: a password set before the email was proven', () => {
  it('stops working, with its sessions, once the owner proves the email', async () => {
    const email = uniqueEmail('victim');
    expect((await register(email, 'attacker chose this one')).status).toBe(202);
    const attacker = (await login(email, 'attacker chose this one')).body;
    expect(attacker.person.email_verified).toBe(false);

    const owner = await signIn(api, email, tenant.code); // an email code: proof of the mailbox
    expect(owner.person.email_verified).toBe(true);
    expect(owner.account.id).toBe(attacker.account.id);
    expectProblem(await api('GET', '/auth/me', { token: attacker.token }), 401, 'token_invalid');
    expectProblem(await login(email, 'attacker chose this one'), 401, 'invalid_credentials');
    expect((await api('GET', '/auth/me', { token: owner.token })).status).toBe(200);
  });
});

describe('password reset by mailed code', () => {
  it('resets with the code (development: the code is in the answer), ends every session, keeps the email verified', async () => {
    const email = await registered();
    const before = (await login(email, GOOD)).body;
    const requested = await api('POST', '/auth/password/reset/request', {
      body: { email, tenant_code: tenant.code },
    });
    expect(requested.status).toBe(200);
    expect(requested.body).toMatchObject({
      sent: true,
      channel: 'email',
      code: expect.stringMatching(/^\d{6}$/),
    });
    const confirm = (code: string, new_password = 'a brand new passphrase') =>
      api('POST', '/auth/password/reset/confirm', {
        body: { email, tenant_code: tenant.code, code, new_password },
      });
    const wrong = requested.body.code === '000000' ? '111111' : '000000';
    expectProblem(await confirm(wrong), 401, 'invalid_otp');
    expectProblem(await confirm(requested.body.code, 'password123'), 400, 'weak_password');
    const done = await confirm(requested.body.code);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toEqual({ reset: true, sessions_revoked: 1 });
    expectProblem(await confirm(requested.body.code), 401, 'invalid_otp'); // single use
    expectProblem(await api('GET', '/auth/me', { token: before.token }), 401, 'token_invalid');
    expectProblem(await login(email, GOOD), 401, 'invalid_credentials');
    const after = await login(email, 'a brand new passphrase');
    expect(after.status).toBe(200);
    expect(after.body.person.email_verified).toBe(true);
  });

  it('lets someone without a password set one (the code proves the email)', async () => {
    const email = uniqueEmail('otp');
    await signIn(api, email, tenant.code);
    const { code } = (
      await api('POST', '/auth/password/reset/request', { body: { email, tenant_code: tenant.code } })
    ).body;
    const done = await api('POST', '/auth/password/reset/confirm', {
      body: { email, tenant_code: tenant.code, code, new_password: GOOD },
    });
    expect(done.status).toBe(200);
    expect((await login(email, GOOD)).status).toBe(200);
  });

  it('codes expire after 10 minutes', async () => {
    const email = await registered();
    const { code } = (
      await api('POST', '/auth/password/reset/request', { body: { email, tenant_code: tenant.code } })
    ).body;
    clock.advance(601);
    expectProblem(
      await api('POST', '/auth/password/reset/confirm', {
        body: { email, tenant_code: tenant.code, code, new_password: 'a brand new passphrase' },
      }),
      401,
      'invalid_otp',
    );
  });
});

describe('password reset in production mode (real SMTP)', async () => {
  const sink = await startSmtpSink();
  afterAll(() => sink.close());
  const production = await startServer({
    clock,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      ENFORCER_ISSUER: 'https://enforcer.test/api/v1/enforcer',
      ENFORCER_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
      SMTP_URL: sink.url,
      MAIL_FROM: 'Acme <no-reply@acme.test>',
    },
  });
  const prodTenant = await seedTenant(production.db, { authProviders: ['password'] });

  it('answers the same for known and unknown emails, never with the code; the mailed code resets', async () => {
    const email = uniqueEmail('prod');
    expect(
      (
        await production.api('POST', '/auth/register', {
          body: { provider: 'password', email, password: GOOD, tenant_code: prodTenant.code },
        })
      ).status,
    ).toBe(202);
    const known = await production.api('POST', '/auth/password/reset/request', {
      body: { email, tenant_code: prodTenant.code },
    });
    const unknown = await production.api('POST', '/auth/password/reset/request', {
      body: { email: uniqueEmail('nobody'), tenant_code: prodTenant.code },
    });
    expect(known.status).toBe(200);
    expect(known.body).toEqual(unknown.body);
    expect(known.body.code).toBeUndefined();

    const mail = await sink.waitFor((m) => m.to.includes(email));
    expect(mail.data).toMatch(/^Subject: Reset your password for Acme Pay$/m);
    const code = /^\s+(\d{6})\s*$/m.exec(mail.data)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.data.split('\r\n\r\n')[0]).not.toContain(code);
    const done = await production.api('POST', '/auth/password/reset/confirm', {
      body: { email, tenant_code: prodTenant.code, code, new_password: 'mailed code new passphrase' },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const signedIn = await production.api('POST', '/auth/login', {
      body: {
        provider: 'password',
        email,
        password: 'mailed code new passphrase',
        tenant_code: prodTenant.code,
      },
    });
    expect(signedIn.status).toBe(200);
  });
});
