// The tenant admin API over HTTP: read, theme, login methods, invites, and the public resolve.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectFieldError,
  expectOk,
  expectProblem,
  type SeededTenant,
  seedTenant,
  uniqueEmail,
} from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
let t: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  t = await seedTenant(server);
  other = await seedTenant(server, 'Other Co');
});

describe('GET /tenants/{id}', () => {
  it("reads the caller's tenant; any other id is a 404", async () => {
    const tenant = expectOk(await api('GET', `/tenants/${t.tenant.id}`, { token: t.member.token }));
    expect(tenant).toMatchObject({
      id: t.tenant.id,
      code: t.tenant.code,
      name: 'Acme Pay',
      logo_url: null,
      theme: {},
      auth_providers: ['email_otp'],
      allow_signup: true,
    });
    expectProblem(
      await api('GET', `/tenants/${other.tenant.id}`, { token: t.member.token }),
      404,
      'not_found',
    );
    expectProblem(
      await api('GET', `/tenants/${crypto.randomUUID()}`, { apiKey: t.apiKey }),
      404,
      'not_found',
    );
    expectProblem(await api('GET', '/tenants/123', { apiKey: t.apiKey }), 400, 'validation_failed');
  });
});

describe('PATCH /tenants/{id}', () => {
  it('sets name, logo and theme (the seed recipe), audited', async () => {
    const body = { name: 'Acme Pay', logo_url: 'https://acme.com/logo.png', theme: { primary: '#6ce992' } };
    const tenant = expectOk(await api('PATCH', `/tenants/${t.tenant.id}`, { token: t.admin.token, body }));
    expect(tenant).toMatchObject(body);
    expect(
      expectOk(await api('PATCH', `/tenants/${t.tenant.id}`, { apiKey: t.apiKey, body: { logo_url: null } }))
        .logo_url,
    ).toBeNull();
    const events = await server.db.auditEvents({ tenantId: t.tenant.id, action: 'tenant.updated' });
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses unsafe or malformed values and other tenants', async () => {
    for (const body of [
      {},
      { logo_url: 'http://acme.com/logo.png' },
      { logo_url: 'javascript:alert(1)' },
      { theme: { primary: 'red; background: url(x)' } },
      { theme: { Primary: '#fff' } },
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'ok', extra: true },
    ]) {
      expectProblem(
        await api('PATCH', `/tenants/${t.tenant.id}`, { apiKey: t.apiKey, body }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await api('PATCH', `/tenants/${other.tenant.id}`, { apiKey: t.apiKey, body: { name: 'Mine now' } }),
      404,
      'not_found',
    );
    expectProblem(
      await api('PATCH', `/tenants/${t.tenant.id}`, { token: t.member.token, body: { name: 'x' } }),
      403,
      'forbidden',
    );
    expect(expectOk(await api('GET', `/tenants/${other.tenant.id}`, { apiKey: other.apiKey })).name).toBe(
      'Other Co',
    );
  });
});

describe('PUT /tenants/{id}/auth-provider', () => {
  it('takes the single form and the list form, with allow_signup', async () => {
    const single = expectOk(
      await api('PUT', `/tenants/${t.tenant.id}/auth-provider`, {
        token: t.admin.token,
        body: { provider: 'passkey' },
      }),
    );
    expect(single).toMatchObject({ auth_providers: ['passkey'], allow_signup: true });
    const list = expectOk(
      await api('PUT', `/tenants/${t.tenant.id}/auth-provider`, {
        apiKey: t.apiKey,
        body: { providers: ['email_otp', 'google'], allow_signup: false },
      }),
    );
    expect(list).toMatchObject({ auth_providers: ['email_otp', 'google'], allow_signup: false });
    for (const body of [
      { provider: 'fax' },
      { providers: [] },
      { providers: ['email_otp', 'email_otp'] },
      { provider: 'email_otp', providers: ['google'] },
      { provider: 'email_otp', allow_signup: 'yes' },
    ]) {
      expectProblem(
        await api('PUT', `/tenants/${t.tenant.id}/auth-provider`, { apiKey: t.apiKey, body }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await api('PUT', `/tenants/${other.tenant.id}/auth-provider`, {
        apiKey: t.apiKey,
        body: { provider: 'google' },
      }),
      404,
      'not_found',
    );
    // Restore what the other suites expect.
    expectOk(
      await api('PUT', `/tenants/${t.tenant.id}/auth-provider`, {
        apiKey: t.apiKey,
        body: { provider: 'email_otp', allow_signup: true },
      }),
    );
  });
});

describe('POST /tenants/{id}/invites', () => {
  it('creates an invite: the code shown once, stored as a SHA-256, expiring in 7 days', async () => {
    const email = uniqueEmail('teammate');
    const invite = expectOk(
      await api('POST', `/tenants/${t.tenant.id}/invites`, {
        token: t.admin.token,
        body: { email: email.toUpperCase() },
      }),
      201,
    );
    expect(invite).toMatchObject({
      email,
      role: 'member',
      code: expect.stringMatching(/^inv_[A-Za-z0-9_-]{43}$/),
    });
    const days = (Date.parse(invite.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const row = await server.db.records('invites').one(invite.id);
    expect(row.codeHash).toBe(createHash('sha256').update(invite.code).digest('base64url'));
    expect(row.createdBy).toBe(t.admin.accountId);
    const [event] = await server.db.auditEvents({ action: 'invite.created', targetId: invite.id });
    expect(JSON.stringify(event)).not.toContain(invite.code);
    // One pending invite per email.
    expectProblem(
      await api('POST', `/tenants/${t.tenant.id}/invites`, { apiKey: t.apiKey, body: { email } }),
      409,
      'conflict',
    );
  });

  it('the role must exist and never outrank the inviter', async () => {
    const admin = expectOk(
      await api('POST', `/tenants/${t.tenant.id}/invites`, {
        apiKey: t.apiKey,
        body: { email: uniqueEmail(), role: 'admin' },
      }),
      201,
    );
    expect(admin.role).toBe('admin');
    expectProblem(
      await api('POST', `/tenants/${t.tenant.id}/invites`, {
        token: t.admin.token,
        body: { email: uniqueEmail(), role: 'owner' },
      }),
      403,
      'forbidden',
    );
    expectFieldError(
      expectProblem(
        await api('POST', `/tenants/${t.tenant.id}/invites`, {
          token: t.owner.token,
          body: { email: uniqueEmail(), role: 'ghost' },
        }),
        400,
        'validation_failed',
      ),
      'body.role',
    );
    expectOk(
      await api('POST', `/tenants/${t.tenant.id}/invites`, {
        token: t.owner.token,
        body: { email: uniqueEmail(), role: 'owner' },
      }),
      201,
    );
  });

  it('refuses people who already have an account, bad bodies, members and other tenants', async () => {
    expectProblem(
      await api('POST', `/tenants/${t.tenant.id}/invites`, {
        apiKey: t.apiKey,
        body: { email: t.member.email },
      }),
      409,
      'conflict',
    );
    for (const body of [
      {},
      { email: 'not-an-email' },
      { email: uniqueEmail(), role: 'Not Valid' },
      { email: uniqueEmail(), x: 1 },
    ]) {
      expectProblem(
        await api('POST', `/tenants/${t.tenant.id}/invites`, { apiKey: t.apiKey, body }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await api('POST', `/tenants/${t.tenant.id}/invites`, {
        token: t.member.token,
        body: { email: uniqueEmail() },
      }),
      403,
      'forbidden',
    );
    expectProblem(
      await api('POST', `/tenants/${other.tenant.id}/invites`, {
        apiKey: t.apiKey,
        body: { email: uniqueEmail() },
      }),
      404,
      'not_found',
    );
  });
});

describe('GET /directory/tenants/resolve', () => {
  it('answers the public view of a tenant by its code, in any case, without a credential', async () => {
    const resolved = expectOk(
      await api('GET', `/directory/tenants/resolve?code=${t.tenant.code.toLowerCase()}`),
    );
    expect(resolved).toMatchObject({ id: t.tenant.id, code: t.tenant.code, name: 'Acme Pay' });
    expect(resolved.created_at).toBeUndefined();
    expectProblem(await api('GET', '/directory/tenants/resolve?code=AAAA-BBBB-CCCC'), 404, 'not_found');
    for (const query of ['', '?code=', '?code=nope', `?code=${'A'.repeat(40)}`]) {
      expectProblem(await api('GET', `/directory/tenants/resolve${query}`), 400, 'validation_failed');
    }
  });
});
