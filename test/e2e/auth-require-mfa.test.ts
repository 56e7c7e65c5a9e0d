// A second factor the tenant requires (#18, `auth_settings.mfa`): of everyone, of some roles, or of none.
// A person it applies to who has no second factor enrols at sign-in, before the first token, with the
// mfa_token of `401 mfa_enrollment_required`; over HTTP on PostgreSQL.
import { ManualClock, totpCode } from '@enforcer/server/testing';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectProblem, requestCode, uniqueEmail } from './auth-fixtures.js';
import { methodTenant } from './auth-methods-fixtures.js';
import { startServer } from './harness.js';

// On a step boundary, so "the next TOTP step" is exact.
const clock = new ManualClock(Math.ceil(Date.now() / 30_000) * 30_000 + 1_000);
const server = await startServer({ clock });
const { api, db } = server;
const tenant = await methodTenant(db, { providers: ['email_otp'] });
const owner = await db.seedAccount({ tenantId: tenant.id, role: 'owner', email: uniqueEmail('owner') });
const ownerToken = (await server.signIn({ accountId: owner.accountId })).accessToken;

const setMfa = (mfa: unknown) =>
  api('PATCH', `/tenants/${tenant.id}`, { token: ownerToken, body: { auth_settings: { mfa } } });
const login = async (email: string) =>
  api('POST', '/auth/login', {
    body: {
      provider: 'email_otp',
      email,
      otp: await requestCode(api, email, tenant.code),
      tenant_code: tenant.code,
    },
  });
const account = async (role: string) =>
  (await db.seedAccount({ tenantId: tenant.id, role, email: uniqueEmail(role) })).email;

describe('require_mfa (auth_settings.mfa)', () => {
  it('is validated: roles go with required: roles, and only with it', async () => {
    for (const bad of [
      { required: 'roles' },
      { required: 'everyone', roles: ['admin'] },
      { required: 'always' },
      { required: 'roles', roles: [] },
    ]) {
      expectProblem(await setMfa(bad), 400, 'validation_failed');
    }
  });

  it('by role: holders enrol at sign-in before their first token, then use the factor; others sign in as before', async () => {
    const set = await setMfa({ required: 'roles', roles: ['admin'] });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.auth_settings.mfa).toEqual({ required: 'roles', roles: ['admin'] });

    expect((await login(await account('member'))).status).toBe(200);

    const admin = await account('admin');
    const held = await login(admin);
    expectProblem(held, 401, 'mfa_enrollment_required');
    expect(held.body).not.toHaveProperty('token');
    expect(held.body.mfa_methods).toEqual(['totp']);
    const mfaToken: string = held.body.mfa_token;
    // The token is not a way past the factor: /auth/mfa/verify needs one the person does not have.
    expectProblem(
      await api('POST', '/auth/mfa/verify', { body: { mfa_token: mfaToken, code: '123456' } }),
      409,
      'mfa_not_enabled',
    );
    expectProblem(
      await api('POST', '/auth/mfa/enroll', { body: { mfa_token: 'emt_unknown' } }),
      401,
      'mfa_token_invalid',
    );

    const enrollment = await api('POST', '/auth/mfa/enroll', { body: { mfa_token: mfaToken } });
    expect(enrollment.status, JSON.stringify(enrollment.body)).toBe(200);
    const { secret } = enrollment.body;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const right = await totpCode(secret, clock.now());
    expectProblem(
      await api('POST', '/auth/mfa/enroll/confirm', {
        body: { mfa_token: mfaToken, code: right === '000000' ? '111111' : '000000' },
      }),
      401,
      'invalid_mfa_code',
    );
    const finished = await api('POST', '/auth/mfa/enroll/confirm', {
      body: { mfa_token: mfaToken, code: right },
    });
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect(finished.body.recovery_codes).toHaveLength(10);
    expect(finished.body.refresh_token).toEqual(expect.any(String));
    const claims = decodeJwt(finished.body.token);
    expect(claims.mfa_at).toEqual(expect.any(Number));
    expect(claims.amr).toEqual(expect.arrayContaining(['otp']));
    const me = await api('GET', '/auth/mfa', { token: finished.body.token });
    expect(me.body).toMatchObject({ enabled: true, recovery_codes_remaining: 10 });
    // Single use.
    expectProblem(
      await api('POST', '/auth/mfa/enroll/confirm', { body: { mfa_token: mfaToken, code: right } }),
      401,
      'mfa_token_invalid',
    );
    const events = await db.auditEvents({
      tenantId: tenant.id,
      action: 'auth.login.mfa_enrollment_required',
    });
    expect(events.length).toBeGreaterThanOrEqual(1);

    // Enrolled now: the next sign-in asks for the factor as for anyone with MFA on.
    clock.advance(30);
    const next = await login(admin);
    expectProblem(next, 401, 'mfa_required');
    const verified = await api('POST', '/auth/mfa/verify', {
      body: { mfa_token: next.body.mfa_token, code: await totpCode(secret, clock.now()) },
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  });

  it('everyone: every account enrols; none: back to each person choosing', async () => {
    expect((await setMfa({ required: 'everyone' })).status).toBe(200);
    const member = await account('member');
    expectProblem(await login(member), 401, 'mfa_enrollment_required');
    expect((await setMfa({ required: 'none' })).status).toBe(200);
    expect((await login(member)).status).toBe(200);
    expect((await setMfa(null)).status).toBe(200);
    expect((await login(member)).status).toBe(200);
  });

  it("on refresh: a session without the factor the tenant now requires ends; the answer is the sign-in's, with an mfa_token", async () => {
    expect((await setMfa(null)).status).toBe(200);
    const email = await account('member');
    const signedIn = await login(email);
    expect(signedIn.status).toBe(200);
    const refresh = (refresh_token: string) => api('POST', '/auth/refresh', { body: { refresh_token } });
    // Under the old setting refresh works as before.
    const rotated = await refresh(signedIn.body.refresh_token);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);

    expect((await setMfa({ required: 'everyone' })).status).toBe(200);
    const held = await refresh(rotated.body.refresh_token);
    expectProblem(held, 401, 'mfa_enrollment_required');
    expect(held.body).not.toHaveProperty('token');
    expect(held.body.mfa_token).toEqual(expect.any(String));
    // The session has ended: neither that token nor its predecessor refreshes again, nor gets another mfa_token.
    const again = await refresh(rotated.body.refresh_token);
    expect(again.status).toBe(401);
    expect(again.body.mfa_token).toBeUndefined();
    expect((await refresh(signedIn.body.refresh_token)).status).toBe(401);
    const session = await db.records('sessions').one(decodeJwt(signedIn.body.token).sid as string);
    expect(session.revokeReason).toBe('mfa_required');
    const audited = await db.auditEvents({
      tenantId: tenant.id,
      action: 'auth.login.mfa_enrollment_required',
    });
    expect(audited.at(-1)?.details).toMatchObject({ provider: 'refresh' });

    // Enrolling with that mfa_token opens a new session with the factor, whose refresh goes on.
    const enrollment = await api('POST', '/auth/mfa/enroll', { body: { mfa_token: held.body.mfa_token } });
    expect(enrollment.status, JSON.stringify(enrollment.body)).toBe(200);
    clock.advance(30);
    const finished = await api('POST', '/auth/mfa/enroll/confirm', {
      body: { mfa_token: held.body.mfa_token, code: await totpCode(enrollment.body.secret, clock.now()) },
    });
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect(decodeJwt(finished.body.token).mfa_at).toEqual(expect.any(Number));
    const after = await refresh(finished.body.refresh_token);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(decodeJwt(after.body.token).mfa_at).toEqual(expect.any(Number));
  });

  it('on refresh, for a person with TOTP whose session skipped it (signed in before it was on): mfa_required', async () => {
    expect((await setMfa(null)).status).toBe(200);
    const email = await account('member');
    const signedIn = await login(email);
    // TOTP turned on after this sign-in, by the person from this very session.
    const enrol = await api('POST', '/auth/mfa/totp/enroll', { token: signedIn.body.token });
    expect(enrol.status, JSON.stringify(enrol.body)).toBe(200);
    clock.advance(30);
    const confirmed = await api('POST', '/auth/mfa/totp/confirm', {
      token: signedIn.body.token,
      body: { code: await totpCode(enrol.body.secret, clock.now()) },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    // Not required by the tenant: the session refreshes as the person left it.
    const rotated = await api('POST', '/auth/refresh', {
      body: { refresh_token: signedIn.body.refresh_token },
    });
    expect(rotated.status).toBe(200);
    expect((await setMfa({ required: 'everyone' })).status).toBe(200);
    const held = await api('POST', '/auth/refresh', { body: { refresh_token: rotated.body.refresh_token } });
    expectProblem(held, 401, 'mfa_required');
    clock.advance(30);
    const verified = await api('POST', '/auth/mfa/verify', {
      body: { mfa_token: held.body.mfa_token, code: await totpCode(enrol.body.secret, clock.now()) },
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect((await setMfa(null)).status).toBe(200);
  });
});
