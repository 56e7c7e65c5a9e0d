import { describe, expect, it } from 'vitest';
import { expectProblem, requestCode, seedTenant, signIn, uniqueEmail, wrongCode } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
// A deployment that does not offer self-serve.
const closed = await startServer({ env: { ENFORCER_SELF_SERVE: 'false' } });

const selfServe = (body: Record<string, unknown>, token?: string) =>
  api('POST', '/tenants/self-serve', { body, ...(token ? { token } : {}) });

const tenantCount = () => server.db.records('tenants').count({});

describe('POST /tenants/self-serve needs proof of admin_email', () => {
  it('without any proof: 401 unauthenticated, and no tenant is created', async () => {
    const before = await tenantCount();
    expectProblem(await selfServe({ name: 'Acme', admin_email: uniqueEmail() }), 401, 'unauthenticated');
    expect(await tenantCount()).toBe(before);
  });

  it('with a wrong, a reused or a tenant-scoped code: refused', async () => {
    const email = uniqueEmail('admin');
    const otp = await requestCode(api, email);
    expectProblem(
      await selfServe({ name: 'Acme', admin_email: email, otp: wrongCode(otp) }),
      401,
      'invalid_otp',
    );
    expectProblem(await selfServe({ name: 'Acme', admin_email: uniqueEmail(), otp }), 401, 'invalid_otp');
    expect((await selfServe({ name: 'Acme', admin_email: email, otp })).status).toBe(201);
    expectProblem(await selfServe({ name: 'Acme', admin_email: email, otp }), 401, 'invalid_otp');

    // A login code (requested with a tenant code) is not a proof for self-serve.
    const tenant = await seedTenant(server.db);
    const loginCode = await requestCode(api, email, tenant.code);
    expectProblem(await selfServe({ name: 'Acme', admin_email: email, otp: loginCode }), 401, 'invalid_otp');
  });

  it('five wrong codes burn the proof', async () => {
    const email = uniqueEmail('admin');
    const otp = await requestCode(api, email);
    for (let i = 0; i < 4; i++) {
      expectProblem(
        await selfServe({ name: 'Acme', admin_email: email, otp: wrongCode(otp) }),
        401,
        'invalid_otp',
      );
    }
    expectProblem(
      await selfServe({ name: 'Acme', admin_email: email, otp: wrongCode(otp) }),
      429,
      'otp_attempts_exceeded',
    );
    expectProblem(await selfServe({ name: 'Acme', admin_email: email, otp }), 429, 'otp_attempts_exceeded');
  });

  it('with an OTP: the caller owns the new tenant and is signed in to it', async () => {
    const email = uniqueEmail('admin');
    const otp = await requestCode(api, email);
    const created = await selfServe({ name: '  Acme Pay  ', admin_email: email.toUpperCase(), otp });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenant: { name: 'Acme Pay', auth_providers: ['email_otp'], allow_signup: true },
      account: { role: 'owner', email },
      person: { email, email_verified: true },
    });
    // The owner may do everything, e.g. read the tenant's policy; the token works at once.
    const me = await api('GET', '/auth/me', { token: created.body.token });
    expect(me.body).toMatchObject({ roles: ['owner'], tenant: { id: created.body.tenant.id } });
    const perms = await api('GET', '/auth/permissions', { token: created.body.token });
    expect(perms.body.permissions).toContain('*');
    const events = await server.db.auditEvents({
      action: 'tenants.created',
      tenantId: created.body.tenant.id,
    });
    expect(events[0]?.details).toMatchObject({ via: 'self_serve', proof: 'otp' });
  });

  it('with a session of the person whose email it is', async () => {
    const home = await seedTenant(server.db);
    const email = uniqueEmail('admin');
    const session = await signIn(api, email, home.code);
    const created = await selfServe({ name: 'Second', admin_email: email }, session.token);
    expect(created.status).toBe(201);
    expect(created.body.person.id).toBe(session.person.id);
    expect(created.body.account.role).toBe('owner');
    // Signed in as someone else: no proof.
    expectProblem(
      await selfServe({ name: 'Third', admin_email: uniqueEmail() }, session.token),
      401,
      'unauthenticated',
    );
    // A bad token is a 401 even though the route is public.
    expectProblem(await selfServe({ name: 'Fourth', admin_email: email }, 'garbage'), 401, 'token_invalid');
  });
});

describe('POST /tenants', () => {
  it('a signed-in person creates a tenant and becomes its owner; switch to enter it', async () => {
    const home = await seedTenant(server.db);
    const session = await signIn(api, uniqueEmail(), home.code);
    const created = await api('POST', '/tenants', {
      token: session.token,
      body: { name: 'Side project', theme: { primary: '#6ce992' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      tenant: {
        name: 'Side project',
        allow_signup: false,
        auth_providers: ['email_otp'],
        theme: { primary: '#6ce992' },
      },
      account: { role: 'owner', person_id: session.person.id },
    });
    const switched = await api('POST', '/auth/tenant/switch', {
      token: session.token,
      body: { tenant_id: created.body.tenant.id },
    });
    expect(switched.status).toBe(200);
    expect(switched.body.account.role).toBe('owner');
  });

  it('needs a signed-in user; refuses providers that would lock the owner out', async () => {
    expectProblem(await api('POST', '/tenants', { body: { name: 'X' } }), 401, 'unauthenticated');
    const home = await seedTenant(server.db);
    const session = await signIn(api, uniqueEmail(), home.code);
    const before = await tenantCount();
    const response = await api('POST', '/tenants', {
      token: session.token,
      body: { name: 'Passkeys only', auth_providers: ['passkey'] },
    });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors[0].path).toBe('body.auth_providers');
    expect(await tenantCount()).toBe(before);
  });
});

describe('ENFORCER_SELF_SERVE=false', () => {
  it('answers 403 self_serve_disabled, with a proof or without, and creates nothing', async () => {
    const email = uniqueEmail('admin');
    const otp = await requestCode(closed.api, email);
    const before = await closed.db.records('tenants').count({});
    for (const body of [{ otp }, {}]) {
      expectProblem(
        await closed.api('POST', '/tenants/self-serve', {
          body: { name: 'Acme', admin_email: email, ...body },
        }),
        403,
        'self_serve_disabled',
      );
    }
    expect(await closed.db.records('tenants').count({})).toBe(before);
  });
});
