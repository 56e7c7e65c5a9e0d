import { describe, expect, it } from 'vitest';
import { expectProblem, requestCode, seedTenant, uniqueEmail } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;

describe('the seed quickstart, as written', () => {
  it('self-serve tenant (with proof), register, OTP with tenant_code, login creating the account, call, refresh', async () => {
    // 1. Create your tenant: proof of the admin email is a code requested without a tenant code.
    const admin = uniqueEmail('admin');
    const proof = await requestCode(api, admin);
    const created = await api('POST', '/tenants/self-serve', {
      body: { name: 'Acme Pay', admin_email: admin, otp: proof },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      token_type: 'Bearer',
      tenant: { name: 'Acme Pay', auth_providers: ['email_otp'], allow_signup: true },
      account: { role: 'owner', email: admin },
      person: { email: admin, email_verified: true },
    });
    const tenantCode: string = created.body.tenant.code;
    expect(tenantCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    // 3. Register a user (no tenant code), then request an OTP scoped to the tenant.
    const user = uniqueEmail('user');
    const registered = await api('POST', '/auth/register', { body: { provider: 'email_otp', email: user } });
    expect(registered.status).toBe(202);
    expect(registered.body).toEqual({ accepted: true, next: 'otp_request' });
    const otp = await api('POST', '/auth/otp/request', { body: { email: user, tenant_code: tenantCode } });
    expect(otp.status).toBe(200);
    expect(otp.body).toMatchObject({ sent: true, channel: 'email', code: expect.stringMatching(/^\d{6}$/) });

    // 4. Log in: creates the account in the tenant (it allows sign-up and accepts email_otp).
    const login = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email: user, otp: otp.body.code, tenant_code: tenantCode },
    });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body).toMatchObject({
      token: expect.any(String),
      refresh_token: expect.stringMatching(/^ert_/),
      expires_at: expect.any(String),
      token_type: 'Bearer',
      account: { role: 'member', email: user, tenant_id: created.body.tenant.id, active: true },
      person: { email: user, email_verified: true },
      tenant: { code: tenantCode },
    });

    // Call the API with the token.
    const tenants = await api('GET', '/auth/tenants', { token: login.body.token });
    expect(tenants.status).toBe(200);
    expect(tenants.body.data).toEqual([
      expect.objectContaining({ account_id: login.body.account.id, role: 'member', current: true }),
    ]);

    // Refresh when it expires.
    const refreshed = await api('POST', '/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
    expect(refreshed.body.account.id).toBe(login.body.account.id);
  });

  it("the seed's tenant code may be typed in lower case; emails are case-insensitive", async () => {
    const tenant = await seedTenant(server.db);
    const email = uniqueEmail('Mixed');
    const otp = await requestCode(api, email.toUpperCase(), tenant.code.toLowerCase());
    const login = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: ` ${tenant.code.toLowerCase()} ` },
    });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body.person.email).toBe(email.toLowerCase());
  });

  it('login into a tenant that does not allow sign-up: 403 signup_disabled (after the code checks out)', async () => {
    const tenant = await seedTenant(server.db, { allowSignup: false });
    const email = uniqueEmail();
    const otp = await requestCode(api, email, tenant.code);
    const login = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
    });
    expectProblem(login, 403, 'signup_disabled');
    // Register with that tenant code is refused the same way.
    const registered = await api('POST', '/auth/register', {
      body: { provider: 'email_otp', email, tenant_code: tenant.code },
    });
    expectProblem(registered, 403, 'signup_disabled');
  });

  it('login into a tenant without email_otp: 403 provider_not_allowed', async () => {
    const tenant = await seedTenant(server.db, { authProviders: ['passkey'] });
    const login = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email: uniqueEmail(), otp: '123456', tenant_code: tenant.code },
    });
    expectProblem(login, 403, 'provider_not_allowed');
  });

  it('an unknown tenant code is a 404', async () => {
    for (const path of ['/auth/otp/request', '/auth/login', '/auth/register']) {
      const body =
        path === '/auth/otp/request'
          ? { email: uniqueEmail(), tenant_code: 'ZZZZ-ZZZZ-ZZZZ' }
          : path === '/auth/login'
            ? { provider: 'email_otp', email: uniqueEmail(), otp: '123456', tenant_code: 'ZZZZ-ZZZZ-ZZZZ' }
            : { provider: 'email_otp', email: uniqueEmail(), tenant_code: 'ZZZZ-ZZZZ-ZZZZ' };
      expectProblem(await api('POST', path, { body }), 404, 'not_found');
    }
  });

  it('register with a tenant code creates the account; login then signs in to it', async () => {
    const tenant = await seedTenant(server.db);
    const email = uniqueEmail();
    const first = await api('POST', '/auth/register', {
      body: { provider: 'email_otp', email, tenant_code: tenant.code },
    });
    const again = await api('POST', '/auth/register', {
      body: { provider: 'email_otp', email, tenant_code: tenant.code },
    });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual(first.body);
    const otp = await requestCode(api, email, tenant.code);
    const login = await api('POST', '/auth/login', {
      body: { provider: 'email_otp', email, otp, tenant_code: tenant.code },
    });
    expect(login.status).toBe(200);
    expect(login.body.account.role).toBe('member');
  });
});
