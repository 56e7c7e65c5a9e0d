// The seed's onboarding guide (shared/seeds/000, sections 03 and 04), call by call, in its
// order, with its headers. Where the guide's curl sends `-d` without a Content-Type (which
// curl labels application/x-www-form-urlencoded), so does this test.
//
// One deliberate difference: self-serve tenant creation needs proof of the admin email (an
// OTP, requested first), because the guide's version would hand an admin token to anyone
// who types an email address.
import { describe, expect, it } from 'vitest';
import { startServer } from './harness.js';

const server = await startServer();
const { api } = server;
const form = 'application/x-www-form-urlencoded'; // what `curl -d` sends without -H Content-Type

const ok = <T>(response: { status: number; body: T }, status = 200): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};

describe('the onboarding guide, as written', () => {
  it('quickstart: tenant, API key, user, OTP, login, then the group gate flips the gated action', async () => {
    // 1. Create your tenant (with proof of the admin email)
    const adminEmail = 'you@acme.com';
    const proof = ok(await api('POST', '/auth/otp/request', { body: { email: adminEmail } }));
    const created = ok(
      await api('POST', '/tenants/self-serve', {
        body: { name: 'Acme Pay', admin_email: adminEmail, otp: proof.code },
      }),
      201,
    );
    const ADMIN_JWT = created.token;
    const TENANT_CODE = created.tenant.code;
    const TENANT_ID = created.tenant.id;
    expect(created.account.role).toBe('owner');

    // 2. Mint a server API key
    const key = ok(await api('POST', '/api-keys', { token: ADMIN_JWT, body: { name: 'server-key' } }), 201);
    const API_KEY = key.key;
    expect(API_KEY).toMatch(/^enf_/);

    // 3. Register a user and request an OTP
    expect(
      (await api('POST', '/auth/register', { body: { provider: 'email_otp', email: 'user@acme.com' } }))
        .status,
    ).toBe(202);
    const otp = ok(
      await api('POST', '/auth/otp/request', { body: { email: 'user@acme.com', tenant_code: TENANT_CODE } }),
    );
    expect(otp.code).toMatch(/^\d{6}$/);

    // 4. Log in to get a user JWT
    const login = ok(
      await api('POST', '/auth/login', {
        body: { provider: 'email_otp', email: 'user@acme.com', otp: otp.code, tenant_code: TENANT_CODE },
      }),
    );
    expect(Object.keys(login)).toEqual(
      expect.arrayContaining(['token', 'refresh_token', 'expires_at', 'account']),
    );
    const USER_JWT = login.token;
    const ACCOUNT_ID = login.account.id;

    // The gated action is forbidden before the user is in the group.
    const gated = async () =>
      ok(await api('POST', '/authorize', { token: USER_JWT, body: { action: 'transfers.create' } })).allowed;
    expect(await gated()).toBe(false);

    // 5. Add the user to the gating group (X-API-Key)
    const groups = ok(await api('GET', '/groups', { apiKey: API_KEY }));
    const GROUP_ID = groups.data.find((g: { name: string }) => g.name === 'verified').id;
    ok(
      await api('POST', `/groups/${GROUP_ID}/members`, {
        apiKey: API_KEY,
        body: { account_id: ACCOUNT_ID },
      }),
      201,
    );
    // "That last step is the whole point": allowed now, with no code change.
    expect(await gated()).toBe(true);

    // Recipe "Gate a page on KYC": add (curl -d with no Content-Type), then revoke.
    await api('DELETE', `/groups/${GROUP_ID}/members/${ACCOUNT_ID}`, { apiKey: API_KEY });
    expect(await gated()).toBe(false);
    ok(
      await api('POST', `/groups/${GROUP_ID}/members`, {
        apiKey: API_KEY,
        raw: JSON.stringify({ account_id: ACCOUNT_ID }),
        contentType: form,
      }),
      201,
    );
    expect(await gated()).toBe(true);
    expect(
      (await api('DELETE', `/groups/${GROUP_ID}/members/${ACCOUNT_ID}`, { apiKey: API_KEY })).status,
    ).toBe(204);
    expect(await gated()).toBe(false);

    // The quickstart's "call the api" and "refresh" steps.
    expect(ok(await api('GET', '/auth/tenants', { token: USER_JWT })).data).toHaveLength(1);
    const refreshed = ok(
      await api('POST', '/auth/refresh', { body: { refresh_token: login.refresh_token } }),
    );
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);

    // Recipe "Add a login method"
    ok(
      await api('PUT', `/tenants/${TENANT_ID}/auth-provider`, {
        token: ADMIN_JWT,
        body: { provider: 'email_otp' },
      }),
    );

    // Recipe "Theme your app"
    const themed = ok(
      await api('PATCH', `/tenants/${TENANT_ID}`, {
        token: ADMIN_JWT,
        body: { name: 'Acme Pay', logo_url: 'https://acme.com/logo.png', theme: { primary: '#6ce992' } },
      }),
    );
    expect(themed).toMatchObject({
      name: 'Acme Pay',
      logo_url: 'https://acme.com/logo.png',
      theme: { primary: '#6ce992' },
    });
  });

  it('recipes: invite teammates, then switch a user between tenants (bodies sent as curl -d sends them)', async () => {
    const owner = async (email: string, name: string) => {
      const proof = ok(await api('POST', '/auth/otp/request', { body: { email } }));
      return ok(
        await api('POST', '/tenants/self-serve', { body: { name, admin_email: email, otp: proof.code } }),
        201,
      );
    };
    const acme = await owner('boss@acme.com', 'Acme Pay');
    const globex = await owner('boss@globex.com', 'Globex');

    // A teammate signs in to Globex first (their own person, their USER_JWT).
    const teammate = 'teammate@acme.com';
    const otp = ok(
      await api('POST', '/auth/otp/request', { body: { email: teammate, tenant_code: globex.tenant.code } }),
    );
    const session = ok(
      await api('POST', '/auth/login', {
        body: { provider: 'email_otp', email: teammate, otp: otp.code, tenant_code: globex.tenant.code },
      }),
    );

    // Invite teammates: create (tenant admin), then the invitee accepts.
    const invite = ok(
      await api('POST', `/tenants/${acme.tenant.id}/invites`, {
        token: acme.token,
        raw: JSON.stringify({ email: teammate }),
        contentType: form,
      }),
      201,
    );
    const accepted = ok(
      await api('POST', '/auth/invites/accept', {
        token: session.token,
        raw: JSON.stringify({ code: invite.code }),
        contentType: form,
      }),
    );
    expect(accepted.tenant.id).toBe(acme.tenant.id);

    // To set what a teammate can do, assign a role; list the roles first.
    const roles = ok(await api('GET', '/roles', { token: acme.token }));
    expect(roles.data.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['owner', 'admin', 'member']),
    );
    ok(
      await api('PUT', `/accounts/${accepted.account.id}/role`, {
        token: acme.token,
        body: { role: 'admin' },
      }),
    );

    // Switch a user between tenants: list this person's memberships, then switch.
    const memberships = ok(await api('GET', '/auth/tenants', { token: accepted.token }));
    expect(memberships.data.map((m: { tenant: { id: string } }) => m.tenant.id).sort()).toEqual(
      [acme.tenant.id, globex.tenant.id].sort(),
    );
    const switched = ok(
      await api('POST', '/auth/tenant/switch', {
        token: accepted.token,
        raw: JSON.stringify({ tenant_id: globex.tenant.id }),
        contentType: form,
      }),
    );
    expect(switched.tenant.id).toBe(globex.tenant.id);
    const me = ok(await api('GET', '/auth/me', { token: switched.token }));
    expect(me.tenant.id).toBe(globex.tenant.id);

    // To join a tenant the person is not yet a member of: POST /auth/tenant/join with a tenant_code.
    const initech = await owner('boss@initech.com', 'Initech');
    const joined = ok(
      await api('POST', '/auth/tenant/join', {
        token: switched.token,
        body: { tenant_code: initech.tenant.code },
      }),
    );
    expect(joined.tenant.id).toBe(initech.tenant.id);
    expect(joined.account.role).toBe('member');
  });

  it('a form-labelled body that is not JSON is still a 415 problem, never a 500', async () => {
    const response = await api('POST', '/auth/otp/request', {
      raw: 'email=you%40acme.com',
      contentType: form,
    });
    expect(response.status).toBe(415);
    expect(response.body.code).toBe('unsupported_media_type');
  });
});
