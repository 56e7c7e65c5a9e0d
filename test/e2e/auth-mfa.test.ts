import { defaultPolicy } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';
import { createEnforcer, type EnforcerError, isEnforcerError } from '@enforcer/sdk-js';
import { ManualClock, totpCode } from '@enforcer/server/testing';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectProblem, requestCode, seedTenant, signIn, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';

// On a step boundary, so "the same time step" and "the next one" are exact.
const clock = new ManualClock(Math.ceil(Date.now() / 30_000) * 30_000 + 1_000);
const server = await startServer({ clock });
const { api } = server;
const tenant = await seedTenant(server.db, { authProviders: ['email_otp', 'password'] });
const PASSWORD = 'correct horse battery staple';

const login = (email: string) =>
  api('POST', '/auth/login', {
    body: { provider: 'password', email, password: PASSWORD, tenant_code: tenant.code },
  });
const verify = (body: object) => api('POST', '/auth/mfa/verify', { body });
const code = (secret: string) => totpCode(secret, clock.now());
/** Moves to the next 30-second step (a new TOTP code). */
const nextStep = () => clock.advance(30);

/**
 * A person with a proven email (an email code) and a password (set with a reset code), signed in with
 * the password, with TOTP on. (A password registered before the email is proven would be dropped at the
 * first proof: see auth-password.test.ts.)
 */
async function enrolled() {
  const email = uniqueEmail('mfa');
  await signIn(api, email, tenant.code);
  const { code: resetCode } = (
    await api('POST', '/auth/password/reset/request', { body: { email, tenant_code: tenant.code } })
  ).body;
  const reset = await api('POST', '/auth/password/reset/confirm', {
    body: { email, tenant_code: tenant.code, code: resetCode, new_password: PASSWORD },
  });
  expect(reset.status, JSON.stringify(reset.body)).toBe(200);
  const session = (await login(email)).body;
  const enrollment = await api('POST', '/auth/mfa/totp/enroll', { token: session.token });
  expect(enrollment.status, JSON.stringify(enrollment.body)).toBe(200);
  const { secret } = enrollment.body;
  const confirmed = await api('POST', '/auth/mfa/totp/confirm', {
    token: session.token,
    body: { code: await code(secret) },
  });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  nextStep();
  return { email, secret, session, recoveryCodes: confirmed.body.recovery_codes as string[] };
}

/** A password login that stops at the MFA challenge: its token. */
async function challenge(email: string): Promise<string> {
  const response = await login(email);
  expectProblem(response, 401, 'mfa_required');
  return response.body.mfa_token;
}

describe('TOTP enrollment', () => {
  it('answers a secret, its otpauth URI and a QR code, stores the secret encrypted, and needs a code to turn on', async () => {
    const email = uniqueEmail('enroll');
    await api('POST', '/auth/register', {
      body: { provider: 'password', email, password: PASSWORD, tenant_code: tenant.code },
    });
    const { token, person } = (await login(email)).body;
    const enrollment = await api('POST', '/auth/mfa/totp/enroll', { token });
    expect(enrollment.status).toBe(200);
    const { secret, otpauth_uri, qr_code } = enrollment.body;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits of base32
    expect(otpauth_uri).toBe(
      `otpauth://totp/Acme%20Pay:${encodeURIComponent(email)}?secret=${secret}&issuer=Acme%20Pay`,
    );
    expect(qr_code).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);

    const row = await server.db.records('totpCredentials').one({ person: person.id });
    expect(row.secretSealed).not.toContain(secret);
    expect(Buffer.from(row.secretSealed, 'base64url').toString('utf8')).not.toContain(secret);
    expect(row.enabledAt).toBeNull();

    expect((await api('GET', '/auth/mfa', { token })).body).toEqual({
      enabled: false,
      pending: true,
      enabled_at: null,
      recovery_codes_remaining: 0,
    });
    // Pending: a login is not asked for a second factor yet.
    expect((await login(email)).status).toBe(200);

    const wrong = (await code(secret)) === '000000' ? '111111' : '000000';
    expectProblem(
      await api('POST', '/auth/mfa/totp/confirm', { token, body: { code: wrong } }),
      401,
      'invalid_mfa_code',
    );
    const confirmed = await api('POST', '/auth/mfa/totp/confirm', {
      token,
      body: { code: await code(secret) },
    });
    expect(confirmed.status).toBe(200);
    const codes: string[] = confirmed.body.recovery_codes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);

    const stored = await server.db.records('recoveryCodes').find({ person: person.id });
    expect(stored).toHaveLength(10);
    const dump = JSON.stringify(stored);
    for (const c of codes) {
      expect(dump).not.toContain(c);
      expect(dump).not.toContain(c.replace(/-/g, ''));
    }
    const status = await api('GET', '/auth/mfa', { token });
    expect(status.body).toMatchObject({ enabled: true, pending: false, recovery_codes_remaining: 10 });
    expectProblem(await api('POST', '/auth/mfa/totp/enroll', { token }), 409, 'conflict');
  });

  it('refuses confirm without an enrollment, and bad input with 400', async () => {
    const { session } = await enrolled();
    expectProblem(
      await api('POST', '/auth/mfa/totp/confirm', { token: session.token, body: { code: '12345' } }),
      400,
      'validation_failed',
    );
    const fresh = uniqueEmail('none');
    await api('POST', '/auth/register', {
      body: { provider: 'password', email: fresh, password: PASSWORD, tenant_code: tenant.code },
    });
    const { token } = (await login(fresh)).body;
    expectProblem(
      await api('POST', '/auth/mfa/totp/confirm', { token, body: { code: '123456' } }),
      409,
      'conflict',
    );
    expectProblem(
      await api('POST', '/auth/mfa/step-up', { token, body: { code: '123456' } }),
      409,
      'mfa_not_enabled',
    );
    expectProblem(await api('GET', '/auth/mfa'), 401, 'unauthenticated');
  });
});

describe('sign-in with MFA on', () => {
  it('a right password answers 401 mfa_required with a single-use mfa_token, not tokens', async () => {
    const { email } = await enrolled();
    const response = await login(email);
    expectProblem(response, 401, 'mfa_required');
    expect(response.body).toMatchObject({
      mfa_token: expect.stringMatching(/^emt_[A-Za-z0-9_-]{43}$/),
      mfa_token_expires_at: new Date(clock.now().getTime() + 300_000).toISOString(),
      mfa_methods: ['totp', 'recovery_code'],
    });
    expect(response.body.token).toBeUndefined();
    expect(response.body.refresh_token).toBeUndefined();
    // A wrong password is still just a wrong password (no MFA hint).
    const wrong = await api('POST', '/auth/login', {
      body: { provider: 'password', email, password: 'wrong password here', tenant_code: tenant.code },
    });
    expectProblem(wrong, 401, 'invalid_credentials');
    expect(wrong.body.mfa_token).toBeUndefined();
  });

  it('a TOTP code finishes it: amr pwd+totp+mfa, mfa_at in the token; the token then works no more', async () => {
    const { email, secret } = await enrolled();
    const mfaToken = await challenge(email);
    const done = await verify({ mfa_token: mfaToken, code: await code(secret) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const claims = decodeJwt(done.body.token);
    expect(claims.amr).toEqual(['pwd', 'totp', 'mfa']);
    expect(claims.mfa_at).toBe(Math.floor(clock.now().getTime() / 1000));
    nextStep();
    expectProblem(await verify({ mfa_token: mfaToken, code: await code(secret) }), 401, 'mfa_token_invalid');
    // Refreshing keeps mfa_at.
    const refreshed = await api('POST', '/auth/refresh', {
      body: { refresh_token: done.body.refresh_token },
    });
    expect(decodeJwt(refreshed.body.token).mfa_at).toBe(claims.mfa_at);
  });

  it('refuses a TOTP code already used in its time step (replay), accepts the next step', async () => {
    const { email, secret } = await enrolled();
    const used = await code(secret);
    expect((await verify({ mfa_token: await challenge(email), code: used })).status).toBe(200);
    expectProblem(await verify({ mfa_token: await challenge(email), code: used }), 401, 'invalid_mfa_code');
    nextStep();
    // Older steps stay refused too: the previous step's code is within the drift window but spent.
    expectProblem(await verify({ mfa_token: await challenge(email), code: used }), 401, 'invalid_mfa_code');
    expect((await verify({ mfa_token: await challenge(email), code: await code(secret) })).status).toBe(200);
  });

  it('accepts codes one step either side (clock drift), not two', async () => {
    const { email, secret } = await enrolled();
    const ahead = await totpCode(secret, new Date(clock.now().getTime() + 30_000));
    expect((await verify({ mfa_token: await challenge(email), code: ahead })).status).toBe(200);
    clock.advance(90);
    const old = await totpCode(secret, new Date(clock.now().getTime() - 60_000));
    expectProblem(await verify({ mfa_token: await challenge(email), code: old }), 401, 'invalid_mfa_code');
  });

  it('mfa_token expires after 5 minutes', async () => {
    const { email, secret } = await enrolled();
    const mfaToken = await challenge(email);
    clock.advance(301);
    expectProblem(await verify({ mfa_token: mfaToken, code: await code(secret) }), 401, 'mfa_token_invalid');
  });

  it('five wrong codes burn the mfa_token; even a right code then fails', async () => {
    const { email, secret } = await enrolled();
    const mfaToken = await challenge(email);
    const right = await code(secret);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++)
      expectProblem(await verify({ mfa_token: mfaToken, code: wrong }), 401, 'invalid_mfa_code');
    expectProblem(await verify({ mfa_token: mfaToken, code: wrong }), 401, 'mfa_token_invalid');
    expectProblem(await verify({ mfa_token: mfaToken, code: right }), 401, 'mfa_token_invalid');
  });

  it('an unknown or malformed mfa_token is 401 mfa_token_invalid; bad bodies are 400', async () => {
    expectProblem(await verify({ mfa_token: 'emt_nope', code: '123456' }), 401, 'mfa_token_invalid');
    expectProblem(
      await verify({ mfa_token: 'x', code: '123456', recovery_code: 'aaaa' }),
      400,
      'validation_failed',
    );
    expectProblem(await verify({ mfa_token: 'x' }), 400, 'validation_failed');
    expectProblem(await verify({ mfa_token: 'x', recovery_code: 'short' }), 400, 'validation_failed');
  });

  it('applies after an email code too (any first factor but a passkey)', async () => {
    const { email, secret } = await enrolled();
    const otp = await requestCode(api, email, tenant.code);
    const response = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
    });
    expectProblem(response, 401, 'mfa_required');
    const done = await verify({ mfa_token: response.body.mfa_token, code: await code(secret) });
    expect(done.status).toBe(200);
    expect(decodeJwt(done.body.token).amr).toEqual(['otp', 'totp', 'mfa']);
  });
});

describe('recovery codes', () => {
  it('finish a sign-in once each, are audited, and count down', async () => {
    const { email, recoveryCodes, session } = await enrolled();
    const [first] = recoveryCodes;
    const done = await verify({ mfa_token: await challenge(email), recovery_code: first!.toUpperCase() });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(decodeJwt(done.body.token).amr).toEqual(['pwd', 'recovery_code', 'mfa']);
    expectProblem(
      await verify({ mfa_token: await challenge(email), recovery_code: first! }),
      401,
      'invalid_mfa_code',
    );
    const status = await api('GET', '/auth/mfa', { token: done.body.token });
    expect(status.body.recovery_codes_remaining).toBe(9);
    const events = await server.db.auditEvents({
      action: 'auth.mfa.recovery_code.used',
      targetId: session.person.id,
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ purpose: 'sign_in', remaining: 9 });
    expect(JSON.stringify(events)).not.toContain(first!.slice(0, 9));
  });

  it('regenerating (with a TOTP code) replaces the whole set', async () => {
    const { email, secret, session, recoveryCodes } = await enrolled();
    const fresh = await api('POST', '/auth/mfa/recovery-codes/regenerate', {
      token: session.token,
      body: { code: await code(secret) },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recovery_codes).toHaveLength(10);
    expect(fresh.body.recovery_codes).not.toContain(recoveryCodes[0]);
    expectProblem(
      await verify({ mfa_token: await challenge(email), recovery_code: recoveryCodes[1]! }),
      401,
      'invalid_mfa_code',
    );
    expect(
      (await verify({ mfa_token: await challenge(email), recovery_code: fresh.body.recovery_codes[0] }))
        .status,
    ).toBe(200);
    nextStep();
    expectProblem(
      await api('POST', '/auth/mfa/recovery-codes/regenerate', { token: session.token, body: {} }),
      400,
      'validation_failed',
    );
  });
});

describe('turning MFA off', () => {
  it('needs the password (when there is one) and a second factor', async () => {
    const { email, secret, session } = await enrolled();
    const disable = (body: object) => api('POST', '/auth/mfa/totp/disable', { token: session.token, body });
    const noPassword = await disable({ code: await code(secret) });
    expectProblem(noPassword, 400, 'validation_failed');
    expect(noPassword.body.errors[0].path).toBe('body.password');
    expectProblem(
      await disable({ code: await code(secret), password: 'wrong password here' }),
      401,
      'invalid_credentials',
    );
    const right = await code(secret);
    const wrong = right === '000000' ? '111111' : '000000';
    expectProblem(await disable({ code: wrong, password: PASSWORD }), 401, 'invalid_mfa_code');
    const off = await disable({ code: right, password: PASSWORD });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toEqual({
      enabled: false,
      pending: false,
      enabled_at: null,
      recovery_codes_remaining: 0,
    });
    expect((await login(email)).status).toBe(200);
    expectProblem(await disable({ code: right, password: PASSWORD }), 409, 'mfa_not_enabled');
    const actions = (await server.db.auditEvents({ actorId: session.account.id })).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['auth.mfa.enabled', 'auth.mfa.failed', 'auth.mfa.disabled']),
    );
  });
});

describe('step-up: a policy that wants a recent second factor', async () => {
  // "Transfers need MFA within 5 minutes": the verified group grants transfers.*, a deny rule asks for it.
  const policy: PolicyDocument = defaultPolicy();
  policy.subject_attributes = { mfa_age_seconds: 'number' };
  policy.rules = [
    ...(policy.rules ?? []),
    {
      id: 'transfers-need-recent-mfa',
      effect: 'deny',
      actions: ['transfers.create'],
      condition: { not: { lte: ['subject.attributes.mfa_age_seconds', 300] } },
    },
  ];
  await server.db.updateTenant(tenant.id, { policy: policy as never, policyVersion: 2 });

  const authorize = (token: string) =>
    api('POST', '/authorize', { token, body: { action: 'transfers.create' } });

  it('denies without a recent MFA, allows after step-up, denies again after 5 minutes', async () => {
    const { email, secret } = await enrolled();
    const otp = await requestCode(api, email, tenant.code);
    // Sign in with the email code and the TOTP: then leave the MFA to age.
    const first = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
    });
    const session = (await verify({ mfa_token: first.body.mfa_token, code: await code(secret) })).body;
    await server.db.addToGroup(session.account.id, 'verified');

    expect((await authorize(session.token)).body.allowed).toBe(true);
    clock.advance(301);
    const stale = await authorize(session.token);
    expect(stale.body).toMatchObject({
      allowed: false,
      reason: { kind: 'denied_by_rule', rule: 'transfers-need-recent-mfa' },
    });

    const wrongCode = (await code(secret)) === '000000' ? '111111' : '000000';
    expectProblem(
      await api('POST', '/auth/mfa/step-up', { token: session.token, body: { code: wrongCode } }),
      401,
      'invalid_mfa_code',
    );
    const stepped = await api('POST', '/auth/mfa/step-up', {
      token: session.token,
      body: { code: await code(secret) },
    });
    expect(stepped.status, JSON.stringify(stepped.body)).toBe(200);
    expect(stepped.body).toMatchObject({
      token_type: 'Bearer',
      amr: ['otp', 'totp', 'mfa'],
      mfa_at: clock.now().toISOString(),
    });
    expect(decodeJwt(stepped.body.token)).toMatchObject({
      sid: decodeJwt(session.token).sid,
      mfa_at: Math.floor(clock.now().getTime() / 1000),
    });
    expect((await authorize(stepped.body.token)).body.allowed).toBe(true);
    const permissions = await api('GET', '/auth/permissions', { token: stepped.body.token });
    expect(permissions.body.subject.attributes).toMatchObject({ mfa_age_seconds: 0 });

    // The same code again is a replay.
    expectProblem(
      await api('POST', '/auth/mfa/step-up', {
        token: stepped.body.token,
        body: { code: await code(secret) },
      }),
      401,
      'invalid_mfa_code',
    );
    // A refresh carries the new mfa_at; after 5 minutes the rule denies again.
    const refreshed = await api('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token } });
    expect(decodeJwt(refreshed.body.token).mfa_at).toBe(decodeJwt(stepped.body.token).mfa_at);
    clock.advance(301);
    expect((await authorize(refreshed.body.token)).body.allowed).toBe(false);
  });

  it('a session that never did MFA is denied (missing attribute reads as null)', async () => {
    const email = uniqueEmail('nomfa');
    const otp = await requestCode(api, email, tenant.code);
    const { token, account } = (
      await api('POST', '/auth/login', {
        body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
      })
    ).body;
    await server.db.addToGroup(account.id, 'verified');
    expect(decodeJwt(token).mfa_at).toBeUndefined();
    expect((await authorize(token)).body).toMatchObject({
      allowed: false,
      reason: { kind: 'denied_by_rule', rule: 'transfers-need-recent-mfa' },
    });
  });
});

describe('@enforcer/sdk-js: MFA sign-in and step-up', () => {
  it('verifyMfa finishes an mfa_required sign-in; stepUp refreshes the stored token with the new mfa_at', async () => {
    const { email, secret } = await enrolled();
    const enforcer = createEnforcer({
      baseUrl: server.origin,
      tenantCode: tenant.code,
      clock: { now: () => clock.now().getTime() },
      autoRefresh: false,
      permissions: false,
      storageKey: `mfa-${Date.now()}`,
    });
    try {
      const error = await enforcer
        .login({ provider: 'password', email, password: PASSWORD, tenant_code: tenant.code })
        .catch((e: unknown) => e);
      expect(isEnforcerError(error, 'mfa_required')).toBe(true);
      const mfaToken = (error as EnforcerError).problem?.mfa_token;
      expect(mfaToken).toMatch(/^emt_/);
      const signedIn = await enforcer.verifyMfa(mfaToken!, { code: await code(secret) });
      expect(signedIn.amr).toEqual(['pwd', 'totp', 'mfa']);
      const firstMfaAt = decodeJwt((await enforcer.getAccessToken())!).mfa_at as number;

      clock.advance(120);
      const stepped = await enforcer.stepUp({ code: await code(secret) });
      expect(stepped.mfa_at).toBe(clock.now().toISOString());
      const token = (await enforcer.getAccessToken())!;
      expect(decodeJwt(token).mfa_at).toBe(firstMfaAt + 120);
      expect((await api('GET', '/auth/me', { token })).status).toBe(200);
    } finally {
      enforcer.destroy();
    }
  });
});
