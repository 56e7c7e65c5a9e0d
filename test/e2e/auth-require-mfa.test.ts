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
});
