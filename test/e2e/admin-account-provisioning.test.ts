// POST /accounts over HTTP (#14): a pending provisioning, never a person; the account comes into being when
// someone signs in to the tenant with a proven email or phone it names (the JIT join), with every role
// and group, even where sign-up is closed; idempotent on Idempotency-Key; the refusals (unknown role or
// group, escalation, conflicts, a member). The mail-accept path is in admin-invites.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectFieldError,
  expectOk,
  expectProblem,
  type SeededTenant,
  seedTenant,
  uniqueEmail,
} from './admin-setup.js';
import { requestCode } from './auth-fixtures.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server, 'Provisioning Co');
  other = await seedTenant(server, 'Other Co');
  // Invite-only: nobody joins by signing in, unless provisioned.
  expectOk(
    await api('PUT', `/tenants/${t.tenant.id}/auth-provider`, {
      token: t.owner.token,
      body: { providers: ['email_otp', 'phone_otp'], allow_signup: false },
    }),
  );
});

const provision = (body: object, options: { token?: string; apiKey?: string; key?: string } = {}) =>
  api('POST', '/accounts', {
    ...(options.token ? { token: options.token } : { apiKey: options.apiKey ?? t.apiKey }),
    body,
    ...(options.key ? { headers: { 'idempotency-key': options.key } } : {}),
  });

async function emailLogin(email: string, tenantCode = t.tenant.code) {
  const otp = await requestCode(api, email, tenantCode);
  return api('POST', '/auth/login', { body: { provider: 'email_otp', email, otp, tenant_code: tenantCode } });
}

describe('POST /accounts', () => {
  it('answers a pending provisioning and creates no person; signing in with the email makes the account (JIT)', async () => {
    const email = uniqueEmail('jit');
    const created = expectOk(
      await provision({ email, roles: ['member', 'admin'], groups: ['verified'] }, { token: t.owner.token }),
      201,
    );
    expect(created).toEqual({
      id: expect.any(String),
      email,
      phone: null,
      roles: ['admin', 'member'],
      groups: ['verified'],
      status: 'pending',
      expires_at: expect.any(String),
      mailed: false,
    });
    const days = (Date.parse(created.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect(await server.db.records('people').find({ email })).toEqual([]);
    const [audited] = await server.db.auditEvents({ action: 'account.provisioned', targetId: created.id });
    expect(audited?.details).toMatchObject({ email, roles: ['member', 'admin'], groups: ['verified'] });

    // Sign-up is closed, but this person was provisioned.
    const session = expectOk(await emailLogin(email));
    expect(session.tenant.id).toBe(t.tenant.id);
    const account = expectOk(await api('GET', `/accounts/${session.account.id}`, { apiKey: t.apiKey }));
    expect(account).toMatchObject({
      email,
      role: 'member',
      roles: ['admin', 'member'],
      groups: ['verified'],
    });
    const invites = expectOk(
      await api('GET', `/tenants/${t.tenant.id}/invites?limit=100`, { apiKey: t.apiKey }),
    );
    expect(invites.data.find((i: { id: string }) => i.id === created.id)).toMatchObject({
      status: 'accepted',
      provisioned: true,
    });
    const [joined] = await server.db.auditEvents({ action: 'auth.account.created', targetId: account.id });
    expect(joined?.details).toMatchObject({ via: 'provisioning', invite_id: created.id });
    // Someone not provisioned is still refused here.
    expectProblem(await emailLogin(uniqueEmail('stranger')), 403, 'signup_disabled');
  });

  it('registering in an open tenant waits for the proven email: the first login makes the provisioned account', async () => {
    expectOk(
      await api('PUT', `/tenants/${other.tenant.id}/auth-provider`, {
        token: other.owner.token,
        body: { providers: ['email_otp', 'password'] },
      }),
    );
    const email = uniqueEmail('registers');
    expectOk(await provision({ email, roles: ['admin'] }, { apiKey: other.apiKey }), 201);
    const registered = await api('POST', '/auth/register', {
      body: {
        provider: 'password',
        email,
        password: 'correct horse battery staple',
        tenant_code: other.tenant.code,
      },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(202);
    const listed = expectOk(await api('GET', `/accounts?email=${email}`, { apiKey: other.apiKey }));
    expect(listed.data).toEqual([]);
    const session = expectOk(await emailLogin(email, other.tenant.code));
    expect(session.account).toMatchObject({ role: 'admin', roles: ['admin'] });
  });

  it('by phone alone: a sign-in with that proven phone makes the account', async () => {
    const phone = `+1415555${String(Date.now() % 10_000).padStart(4, '0')}`;
    const created = expectOk(await provision({ phone, roles: ['member'] }), 201);
    expect(created).toMatchObject({ email: null, phone, roles: ['member'], groups: [] });
    const request = await api('POST', '/auth/otp/request', { body: { phone, tenant_code: t.tenant.code } });
    expect(request.status, JSON.stringify(request.body)).toBe(200);
    const session = expectOk(
      await api('POST', '/auth/login', {
        body: { provider: 'phone_otp', phone, otp: request.body.code, tenant_code: t.tenant.code },
      }),
    );
    expect(session.account).toMatchObject({ roles: ['member'] });
    // The phone has an account now: provisioning it again is a conflict.
    expectProblem(await provision({ phone }), 409, 'conflict');
  });

  it('is idempotent on Idempotency-Key: the same body answers the first answer, another body is 409', async () => {
    const email = uniqueEmail('idem');
    const key = `req-${Date.now()}`;
    const first = expectOk(await provision({ email, roles: ['member'] }, { key }), 201);
    const again = expectOk(await provision({ email, roles: ['member'] }, { key }), 201);
    expect(again).toEqual(first);
    const invites = expectOk(
      await api('GET', `/tenants/${t.tenant.id}/invites?limit=100`, { apiKey: t.apiKey }),
    );
    expect(invites.data.filter((i: { email: string }) => i.email === email)).toHaveLength(1);
    expectProblem(await provision({ email, roles: ['admin'] }, { key }), 409, 'idempotency_key_reused');
    // Without the key, the same body is a second request: the pending one is a conflict.
    expectProblem(await provision({ email, roles: ['member'] }), 409, 'conflict');
    // Keys are per tenant.
    const elsewhere = expectOk(
      await provision({ email, roles: ['member'] }, { apiKey: other.apiKey, key }),
      201,
    );
    expect(elsewhere.id).not.toBe(first.id);
    const bad = expectProblem(
      await provision({ email: uniqueEmail() }, { key: 'spaces are not allowed' }),
      400,
      'validation_failed',
    );
    expectFieldError(bad, 'headers.idempotency-key');
  });

  it('refuses what the caller may not grant, what does not exist, and what already exists', async () => {
    const email = uniqueEmail('refused');
    expectFieldError(
      expectProblem(await provision({ email, roles: ['no_such'] }), 400, 'validation_failed'),
      'body.roles',
    );
    expectFieldError(
      expectProblem(await provision({ email, groups: ['no_such'] }), 400, 'validation_failed'),
      'body.groups',
    );
    expectProblem(await provision({ email, roles: ['owner'] }), 403, 'forbidden');
    expectProblem(await provision({ email }, { token: t.member.token }), 403, 'forbidden');
    expectProblem(await provision({}), 400, 'validation_failed');
    expectProblem(
      await provision({ phone: '+14155550100', send_invitation: true }),
      400,
      'validation_failed',
    );
    expectProblem(await provision({ email: t.member.email }), 409, 'conflict');
    expectProblem(
      await provision({ email, roles: Array.from({ length: 11 }, (_, i) => `r${i}`) }),
      400,
      'validation_failed',
    );
    // Nothing was made.
    const invites = expectOk(
      await api('GET', `/tenants/${t.tenant.id}/invites?limit=100`, { apiKey: t.apiKey }),
    );
    expect(invites.data.some((i: { email: string }) => i.email === email)).toBe(false);
  });
});
