import { CLIENT_FREE_FAILURES } from '@enforcer/core';
import { ManualClock, totpCode } from '@enforcer/server/testing';
import { describe, expect, it } from 'vitest';
import { seedTenant as seedAdminTenant } from './admin-setup.js';
import { expectProblem, requestCode, uniqueEmail, wrongCode } from './auth-fixtures.js';
import { type Api, type ApiOptions, startServer } from './harness.js';

const clock = new ManualClock(Math.ceil(Date.now() / 30_000) * 30_000 + 1_000);
// Behind a trusted proxy, so each test can speak from its own client address.
const server = await startServer({ clock, env: { TRUST_PROXY: 'true' } });
const seeded = await seedAdminTenant(server);
const { tenant } = seeded;
await server.db.updateTenant(tenant.id, { authProviders: ['email_otp', 'password'], allowSignup: true });

const PASSWORD = 'correct horse battery staple';
let addresses = 0;
/** A fresh client address (X-Forwarded-For, trusted here). */
const newClient = () => ({ 'x-forwarded-for': `203.0.113.${++addresses}` });

function client(headers: Record<string, string> = newClient()) {
  const call: Api = (method, path, options = {}) =>
    server.api(method, path, { ...options, headers: { ...headers, ...options.headers } });
  return {
    address: headers['x-forwarded-for']!,
    call,
    login: (email: string, password: string) =>
      call('POST', '/auth/login', {
        body: { provider: 'password', email, password, tenant_code: tenant.code },
      }),
  };
}

async function person(from = client()) {
  const email = uniqueEmail('throttled');
  const registered = await from.call('POST', '/auth/register', {
    body: { provider: 'password', email, password: PASSWORD, tenant_code: tenant.code },
  });
  expect(registered.status).toBe(202);
  const signedIn = await from.login(email, PASSWORD);
  expect(signedIn.status).toBe(200);
  return { email, accountId: signedIn.body.account.id as string };
}

const retryAfter = (response: { headers: Headers }) => Number(response.headers.get('retry-after'));

describe('per-account throttle', () => {
  it('five free failures, then growing delays (429 + Retry-After), even for the right password', async () => {
    const c = client();
    const { email } = await person(c);
    for (let i = 0; i < 5; i++)
      expectProblem(await c.login(email, 'wrong password here'), 401, 'invalid_credentials');
    const sixth = await c.login(email, 'wrong password here');
    expectProblem(sixth, 429, 'rate_limited');
    expect(retryAfter(sixth)).toBe(30);
    const blocked = await c.login(email, PASSWORD);
    expectProblem(blocked, 429, 'rate_limited');
    expect(retryAfter(blocked)).toBe(30);
    // Another client is stopped as well: the count belongs to the account.
    expectProblem(await client().login(email, PASSWORD), 429, 'rate_limited');

    clock.advance(30);
    const seventh = await c.login(email, 'wrong password here');
    expect(retryAfter(seventh)).toBe(60);
    clock.advance(60);
    expect(retryAfter(await c.login(email, 'wrong password here'))).toBe(120);
    clock.advance(120);
    // A success starts the count again.
    expect((await c.login(email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 5; i++)
      expectProblem(await c.login(email, 'wrong password here'), 401, 'invalid_credentials');
    expectProblem(await c.login(email, 'wrong password here'), 429, 'rate_limited');
  });

  it('treats unknown emails exactly like known ones (no enumeration through the throttle)', async () => {
    const c = client();
    const known = (await person(c)).email;
    const unknown = uniqueEmail('nobody');
    const answers = async (email: string) => {
      const out: Array<[number, string, string | null]> = [];
      for (let i = 0; i < 7; i++) {
        const r = await c.login(email, 'wrong password here');
        out.push([r.status, r.body.code, r.headers.get('retry-after')]);
      }
      return out;
    };
    expect(await answers(unknown)).toEqual(await answers(known));
  });

  it('locks the account at the 15th failure until an admin unlocks it; all audited', async () => {
    const c = client();
    const { email, accountId } = await person(c);
    let last: Awaited<ReturnType<typeof c.login>> | undefined;
    for (let i = 1; i <= 15; i++) {
      last = await c.login(email, 'wrong password here');
      if (i < 15 && last.status === 429) clock.advance(retryAfter(last));
    }
    expectProblem(last!, 403, 'account_locked');
    expectProblem(await c.login(email, PASSWORD), 403, 'account_locked');
    clock.advance(7 * 86_400);
    expectProblem(await c.login(email, PASSWORD), 403, 'account_locked');
    // Every method of the account is closed, an email code included.
    const otp = await requestCode(c.call, email, tenant.code);
    expectProblem(
      await c.call('POST', '/auth/login', {
        body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
      }),
      403,
      'account_locked',
    );

    // Unlock: needs accounts.unlock (a member has not), in the caller's tenant.
    const unlock = (options: ApiOptions) => server.api('POST', `/accounts/${accountId}/unlock`, options);
    expectProblem(await unlock({ token: (await seeded.addAccount('member')).token }), 403, 'forbidden');
    const other = await seedAdminTenant(server, 'Other');
    expectProblem(await unlock({ apiKey: other.apiKey }), 404, 'not_found');
    const lifted = await unlock({ apiKey: seeded.apiKey });
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
    expect(lifted.body).toEqual({ was_locked: true, was_throttled: true, status_lock_lifted: false });
    const admin = await seeded.addAccount('admin');
    expect((await unlock({ token: admin.token })).body).toEqual({
      was_locked: false,
      was_throttled: false,
      status_lock_lifted: false,
    });

    expect((await c.login(email, PASSWORD)).status).toBe(200);
    const events = await server.db.auditEvents({ tenantId: tenant.id });
    const actions = events.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['auth.throttle.delayed', 'auth.account.locked', 'account.unlocked']),
    );
    const unlocked = events.find((e) => e.action === 'account.unlocked' && e.targetId === accountId)!;
    expect(unlocked).toMatchObject({ actorType: 'api_key', details: { was_locked: true } });
    expect(JSON.stringify(events)).not.toContain('wrong password here');
  });

  it('counts wrong email codes; asking for a new code never resets the count', async () => {
    const c = client();
    const email = uniqueEmail('otp');
    const login = (otp: string) =>
      c.call('POST', '/auth/login', {
        body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
      });
    let code = await requestCode(c.call, email, tenant.code);
    for (let i = 0; i < 3; i++) expectProblem(await login(wrongCode(code)), 401, 'invalid_otp');
    code = await requestCode(c.call, email, tenant.code);
    expectProblem(await login(wrongCode(code)), 401, 'invalid_otp'); // 4th
    code = await requestCode(c.call, email, tenant.code);
    expectProblem(await login(wrongCode(code)), 429, 'otp_attempts_exceeded'); // 5th: the code is burnt
    clock.advance(601);
    code = await requestCode(c.call, email, tenant.code);
    const sixth = await login(wrongCode(code));
    expectProblem(sixth, 429, 'rate_limited');
    expect(retryAfter(sixth)).toBe(30);
    expectProblem(await login(code), 429, 'rate_limited');
    clock.advance(30);
    expect((await login(code)).status).toBe(200);
  });

  it('counts wrong TOTP and recovery codes on the account too', async () => {
    const c = client();
    const email = uniqueEmail('mfa');
    // Proven email (code), password by reset, TOTP on.
    const otp = await requestCode(c.call, email, tenant.code);
    await c.call('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
    });
    const reset = await c.call('POST', '/auth/password/reset/request', {
      body: { email, tenant_code: tenant.code },
    });
    await c.call('POST', '/auth/password/reset/confirm', {
      body: { email, tenant_code: tenant.code, code: reset.body.code, new_password: PASSWORD },
    });
    const { token } = (await c.login(email, PASSWORD)).body;
    const { secret } = (await c.call('POST', '/auth/mfa/totp/enroll', { token })).body;
    await c.call('POST', '/auth/mfa/totp/confirm', {
      token,
      body: { code: await totpCode(secret, clock.now()) },
    });
    clock.advance(30);

    const mfaToken = async () => (await c.login(email, PASSWORD)).body.mfa_token as string;
    const right = await totpCode(secret, clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    const first = await mfaToken();
    for (let i = 0; i < 3; i++) {
      expectProblem(
        await c.call('POST', '/auth/mfa/verify', { body: { mfa_token: first, code: wrong } }),
        401,
        'invalid_mfa_code',
      );
    }
    // A right password in between does not reset the count (the sign-in is not complete).
    const second = await mfaToken();
    const recovery = { mfa_token: second, recovery_code: 'zzzz-zzzz-zzzz-zzzz' };
    expectProblem(await c.call('POST', '/auth/mfa/verify', { body: recovery }), 401, 'invalid_mfa_code'); // 4
    expectProblem(await c.call('POST', '/auth/mfa/verify', { body: recovery }), 401, 'invalid_mfa_code'); // 5
    expectProblem(
      await c.call('POST', '/auth/mfa/verify', { body: { mfa_token: second, code: wrong } }),
      429,
      'rate_limited',
    );
    expectProblem(
      await c.call('POST', '/auth/mfa/verify', { body: { mfa_token: second, code: right } }),
      429,
      'rate_limited',
    );
    clock.advance(30);
    const done = await c.call('POST', '/auth/mfa/verify', {
      body: { mfa_token: second, code: await totpCode(secret, clock.now()) },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  });
});

describe('per-client throttle', () => {
  it(`delays a client address after ${CLIENT_FREE_FAILURES} failures across accounts; other addresses are not affected`, async () => {
    const c = client();
    for (let i = 0; i < CLIENT_FREE_FAILURES; i++) {
      const r = await c.login(uniqueEmail(`spray${i}`), 'wrong password here');
      expect(r.status, `attempt ${i + 1}`).toBe(401);
    }
    const over = await c.login(uniqueEmail('spray'), 'wrong password here');
    expectProblem(over, 429, 'rate_limited');
    expect(retryAfter(over)).toBe(60);
    // Even a right password of someone else waits: the address is blocked.
    const elsewhere = client();
    const { email } = await person(elsewhere);
    expectProblem(await c.login(email, PASSWORD), 429, 'rate_limited');
    expect((await elsewhere.login(email, PASSWORD)).status).toBe(200);
    // After the delay and a quiet window, the address starts afresh.
    clock.advance(16 * 60);
    expect((await c.login(email, PASSWORD)).status).toBe(200);
    const row = await server.db.records('authThrottles').one({ key: `client:${c.address}` });
    expect(row).toMatchObject({ kind: 'client', tenantId: null, identifier: null });
  });
});
