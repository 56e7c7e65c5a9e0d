import { ManualClock } from '@enforcer/server/testing';
import { describe, expect, it } from 'vitest';
import { expectProblem, setAccountActive, signIn, uniqueEmail } from './auth-fixtures.js';
import { expectAuditReason, fakePrivy, methodTenant, privyDid } from './auth-methods-fixtures.js';
import { startServer } from './harness.js';

// Privy access tokens are ES256 JWTs from privy.io for the tenant's Privy app; here a key pair made
// in the test stands in for the app's (its public half is the tenant's verification key).
const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api, db } = server;
const privy = await fakePrivy('clprivyapp-acme');
const tenant = await methodTenant(db, {
  providers: ['privy', 'email_otp'],
  settings: { privy: privy.settings },
});

const login = (token: string, tenantCode = tenant.code) =>
  api('POST', '/auth/login', { body: { provider: 'privy', token, tenant_code: tenantCode } });
const mint = (
  did: string,
  claims: Record<string, unknown> = {},
  options: Parameters<typeof privy.token>[1] = {},
) => privy.token({ sub: did, ...claims }, { now: clock.now(), ...options });

describe('Privy sign-in (POST /auth/login, provider privy)', () => {
  it('signs a new Privy user up (a person keyed by the DID), then in again', async () => {
    const did = privyDid();
    const first = await login(await mint(did));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.person.email).toBeNull();
    const identity = await db.records('identities').one({ provider: 'privy', subject: did });
    expect(identity.person.id).toBe(first.body.person.id);
    const second = await login(await mint(did));
    expect(second.body.person.id).toBe(first.body.person.id);
    const me = await api('GET', '/auth/me', { token: second.body.token });
    expect(me.body.session.amr).toEqual(['privy']);
  });

  it('refuses a token for another app (audience), from another issuer, signed by another key, expired, or malformed', async () => {
    const did = privyDid();
    expectProblem(await login(await mint(did, { aud: 'another-app' })), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'wrong_audience');
    expectProblem(await login(await mint(did, { iss: 'privy.example' })), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'wrong_issuer');
    expectProblem(await login(await mint(did, {}, { key: 'other' })), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'bad_signature');
    const old = await mint(did, {}, { ttl: 60 });
    clock.advance(71);
    expectProblem(await login(old), 401, 'token_expired');
    await expectAuditReason(db, 'expired');
    expectProblem(await login('a.b.c'), 401, 'provider_token_invalid');
    expectProblem(await login(await mint('not-a-did')), 401, 'provider_token_invalid');
  });

  it('is refused by a tenant that does not accept Privy (403) or has not configured it (403)', async () => {
    const token = await mint(privyDid());
    const emailOnly = await methodTenant(db, { providers: ['email_otp'] });
    expectProblem(await login(token, emailOnly.code), 403, 'provider_not_allowed');
    const unconfigured = await methodTenant(db, { providers: ['privy'] });
    expectProblem(await login(token, unconfigured.code), 403, 'provider_not_configured');
  });

  it('answers bad input with 400 problems', async () => {
    for (const body of [
      { provider: 'privy', tenant_code: tenant.code },
      { provider: 'privy', token: '', tenant_code: tenant.code },
      { provider: 'privy', token: 'x'.repeat(9000), tenant_code: tenant.code },
      { provider: 'privy', token: 'a.b.c', tenant_code: 'nope' },
    ]) {
      expectProblem(await api('POST', '/auth/login', { body }), 400, 'validation_failed');
    }
  });

  it('links a Privy user to a signed-in person; a DID bound to someone else is 409', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    const did = privyDid();
    const linked = await api('POST', '/auth/identities/privy', {
      token: session.token,
      body: { token: await mint(did) },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body).toMatchObject({ provider: 'privy', subject: did });
    expect((await login(await mint(did))).body.person.id).toBe(session.person.id);
    const other = await signIn(api, uniqueEmail(), tenant.code);
    expectProblem(
      await api('POST', '/auth/identities/privy', { token: other.token, body: { token: await mint(did) } }),
      409,
      'identity_already_linked',
    );
  });
});

describe('a Privy access token as the bearer (in place of a user JWT)', () => {
  it('is accepted on user routes once the Privy user has an account; the tenant is found by the Privy app id', async () => {
    const did = privyDid();
    const signedIn = await login(await mint(did));
    const sid = 'privy-session-1';
    const bearer = await mint(did, { sid });
    const me = await api('GET', '/auth/me', { token: bearer });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body.account.id).toBe(signedIn.body.account.id);
    expect(me.body.tenant.id).toBe(tenant.id);
    expect(me.body.session.amr).toEqual(['privy']);
    // Every token of the same Privy session is the same Enforcer session.
    clock.advance(5);
    const later = await api('GET', '/auth/me', { token: await mint(did, { sid }) });
    expect(later.body.session.id).toBe(me.body.session.id);
    const otherSession = await api('GET', '/auth/me', { token: await mint(did, { sid: 'privy-session-2' }) });
    expect(otherSession.body.session.id).not.toBe(me.body.session.id);
    const permissions = await api('GET', '/auth/permissions', { token: bearer });
    expect(permissions.status).toBe(200);
  });

  it('ends with a logout: the same Privy session is refused afterwards (401 token_invalid)', async () => {
    const did = privyDid();
    await login(await mint(did));
    const bearer = await mint(did, { sid: 'to-be-ended' });
    expect((await api('GET', '/auth/me', { token: bearer })).status).toBe(200);
    expect((await api('POST', '/auth/logout', { token: bearer, body: {} })).status).toBe(204);
    expectProblem(await api('GET', '/auth/me', { token: bearer }), 401, 'token_invalid');
  });

  it('needs an account: a Privy user who never signed in to the tenant is 403 not_a_member', async () => {
    expectProblem(await api('GET', '/auth/me', { token: await mint(privyDid()) }), 403, 'not_a_member');
  });

  it('is refused when invalid (401) or expired (401 token_expired), and for a deactivated account (403)', async () => {
    const did = privyDid();
    const signedIn = await login(await mint(did));
    expectProblem(
      await api('GET', '/auth/me', { token: await mint(did, { aud: privy.appId }, { key: 'other' }) }),
      401,
      'provider_token_invalid',
    );
    const short = await mint(did, {}, { ttl: 30 });
    clock.advance(41);
    expectProblem(await api('GET', '/auth/me', { token: short }), 401, 'token_expired');
    await setAccountActive(db, signedIn.body.account.id, false);
    expectProblem(
      await api('GET', '/auth/me', { token: await mint(did, { sid: 'after-deactivation' }) }),
      403,
      'account_inactive',
    );
  });

  it('answers 401 for an app no tenant uses, and needs X-Enforcer-Tenant when several tenants share the app', async () => {
    const stranger = await fakePrivy('clprivyapp-nobody');
    expectProblem(
      await api('GET', '/auth/me', {
        token: await stranger.token({ sub: privyDid() }, { now: clock.now() }),
      }),
      401,
      'provider_token_invalid',
    );

    const shared = await fakePrivy('clprivyapp-shared');
    const one = await methodTenant(db, {
      providers: ['privy'],
      settings: { privy: shared.settings },
      name: 'One',
    });
    const two = await methodTenant(db, {
      providers: ['privy'],
      settings: { privy: shared.settings },
      name: 'Two',
    });
    const did = privyDid();
    const token = await shared.token({ sub: did }, { now: clock.now() });
    expect((await login(token, two.code)).status).toBe(200);
    const bearer = await shared.token({ sub: did, sid: 'shared-1' }, { now: clock.now() });
    expectProblem(await api('GET', '/auth/me', { token: bearer }), 400, 'bad_request');
    const named = await api('GET', '/auth/me', {
      token: bearer,
      headers: { 'x-enforcer-tenant': two.code.toLowerCase() },
    });
    expect(named.status, JSON.stringify(named.body)).toBe(200);
    expect(named.body.tenant.id).toBe(two.id);
    expectProblem(
      await api('GET', '/auth/me', { token: bearer, headers: { 'x-enforcer-tenant': one.code } }),
      403,
      'not_a_member',
    );
    expectProblem(
      await api('GET', '/auth/me', { token: bearer, headers: { 'x-enforcer-tenant': 'ZZZZ-ZZZZ-ZZZZ' } }),
      401,
      'provider_token_invalid',
    );
    // A tenant that named itself must still hold the token's app: another app's token is refused.
    expectProblem(
      await api('GET', '/auth/me', { token: await mint(did), headers: { 'x-enforcer-tenant': two.code } }),
      401,
      'provider_token_invalid',
    );
  });

  it('is refused on API-key routes like any user token (403 credential_not_allowed)', async () => {
    const did = privyDid();
    await login(await mint(did));
    expectProblem(
      await api('GET', '/revocations', { token: await mint(did, { sid: 'rev' }) }),
      403,
      'credential_not_allowed',
    );
  });

  it('leaves our own access tokens alone', async () => {
    const session = await signIn(api, uniqueEmail(), tenant.code);
    expect((await api('GET', '/auth/me', { token: session.token })).status).toBe(200);
  });
});
