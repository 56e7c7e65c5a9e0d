import { ManualClock } from '@enforcer/server/testing';
import { describe, expect, it } from 'vitest';
import { expectProblem, signIn, uniqueEmail } from './auth-fixtures.js';
import {
  expectAuditReason,
  fakeGoogle,
  GOOGLE_CLIENT_ID,
  GOOGLE_JWKS_URL,
  googleSub,
  letThrough,
  methodTenant,
  nonce,
  startMsw,
} from './auth-methods-fixtures.js';
import { startServer } from './harness.js';

// Google's JWKS endpoint is MSW, serving a key set made here; the server fetches it as it would Google's.
const clock = new ManualClock(new Date());
const server = await startServer({ clock, env: { GOOGLE_JWKS_URL } });
const { api, db } = server;
const google = await fakeGoogle();
const msw = startMsw(server, google.handler);
const tenant = await methodTenant(db, {
  providers: ['google', 'email_otp'],
  settings: { google: { client_ids: ['other-client.apps.googleusercontent.com', GOOGLE_CLIENT_ID] } },
});

const login = (token: string, sentNonce: string, tenantCode = tenant.code) =>
  api('POST', '/auth/login', {
    body: { provider: 'google', token, nonce: sentNonce, tenant_code: tenantCode },
  });

/** A fresh ID token and the nonce in it. */
async function googleToken(
  claims: Record<string, unknown> = {},
  options: Parameters<typeof google.idToken>[1] = {},
) {
  const n = nonce();
  const token = await google.idToken(
    { sub: googleSub(), nonce: n, ...claims },
    { now: clock.now(), ...options },
  );
  return { token, nonce: n };
}

describe('Google sign-in', () => {
  it('signs a new Google account up (person keyed by issuer + subject, with the verified email), then in again', async () => {
    const sub = googleSub();
    const email = uniqueEmail('g');
    const first = await googleToken({ sub, email, email_verified: true });
    const response = await login(first.token, first.nonce);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.person).toMatchObject({ email, email_verified: true });
    const identity = await db
      .records('identities')
      .one({ provider: 'google', person: response.body.person.id });
    expect(identity.subject).toBe(`https://accounts.google.com|${sub}`);
    expect(identity.email).toBe(email);

    // The issuer without https is Google too; same account.
    const again = await googleToken({ sub, email, email_verified: true, iss: 'accounts.google.com' });
    const second = await login(again.token, again.nonce);
    expect(second.status).toBe(200);
    expect(second.body.person.id).toBe(response.body.person.id);
    const me = await api('GET', '/auth/me', { token: second.body.token });
    expect(me.body.session.amr).toEqual(['google']);
  });

  it('finds the person by subject, never by email: a changed email still signs in the same person', async () => {
    const sub = googleSub();
    const first = await googleToken({ sub, email: uniqueEmail('a'), email_verified: true });
    const a = await login(first.token, first.nonce);
    const second = await googleToken({ sub, email: uniqueEmail('b'), email_verified: true });
    const b = await login(second.token, second.nonce);
    expect(b.body.person.id).toBe(a.body.person.id);
  });

  it('does not take over an existing person by email (409 email_in_use); once linked, Google signs in as them', async () => {
    const email = uniqueEmail('owner');
    const session = await signIn(api, email, tenant.code);
    const sub = googleSub();
    const attempt = await googleToken({ sub, email, email_verified: true });
    expectProblem(await login(attempt.token, attempt.nonce), 409, 'email_in_use');
    await expectAuditReason(db, 'email_in_use');

    const proof = await googleToken({ sub, email, email_verified: true });
    const linked = await api('POST', '/auth/identities/google', { token: session.token, body: proof });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body).toMatchObject({
      provider: 'google',
      subject: `https://accounts.google.com|${sub}`,
      email,
    });
    const again = await googleToken({ sub, email, email_verified: true });
    const signedIn = await login(again.token, again.nonce);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.person.id).toBe(session.person.id);
  });

  it('does not use an email Google has not verified: the new person has none', async () => {
    const email = uniqueEmail('unverified');
    const { token, nonce: n } = await googleToken({ email, email_verified: false });
    const response = await login(token, n);
    expect(response.status).toBe(200);
    expect(response.body.person.email).toBeNull();
    // and it does not collide with a person who has that email
    await signIn(api, email, tenant.code);
  });

  it('accepts each nonce once: replaying the same ID token is 401 provider_token_invalid', async () => {
    const { token, nonce: n } = await googleToken();
    expect((await login(token, n)).status).toBe(200);
    expectProblem(await login(token, n), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'nonce_replayed');
  });

  it('refuses a nonce that is not the one in the token, and a token without one', async () => {
    const { token } = await googleToken();
    expectProblem(await login(token, nonce()), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'nonce_mismatch');
    const bare = await google.idToken({ sub: googleSub() }, { now: clock.now() });
    expectProblem(await login(bare, nonce()), 401, 'provider_token_invalid');
  });

  it('refuses a token for another client (audience), from another issuer, or expired', async () => {
    const wrongAud = await googleToken({ aud: 'someone-else.apps.googleusercontent.com' });
    expectProblem(await login(wrongAud.token, wrongAud.nonce), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'wrong_audience');
    const wrongIss = await googleToken({ iss: 'https://evil.example.com' });
    expectProblem(await login(wrongIss.token, wrongIss.nonce), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'wrong_issuer');
    const old = await googleToken({}, { ttl: 60 });
    clock.advance(60 + 11);
    expectProblem(await login(old.token, old.nonce), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'expired');
  });

  it("refuses a token not signed by Google's key (bad signature), by an unknown key, or malformed", async () => {
    const forged = await googleToken({}, { key: 'other' });
    expectProblem(await login(forged.token, forged.nonce), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'bad_signature');
    const unknownKid = await googleToken({}, { key: 'other', kid: 'not-googles' });
    expectProblem(await login(unknownKid.token, unknownKid.nonce), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'unknown_key');
    expectProblem(await login('not.a.jwt', nonce()), 401, 'provider_token_invalid');
    await expectAuditReason(db, 'malformed');
  });

  it("answers 503 when Google's keys cannot be fetched", async () => {
    const fresh = await startServer({ clock, env: { GOOGLE_JWKS_URL }, shareDatabaseWith: server });
    msw.use(letThrough(fresh));
    google.setJwksStatus(500);
    try {
      const { token, nonce: n } = await googleToken();
      expectProblem(
        await fresh.api('POST', '/auth/login', {
          body: { provider: 'google', token, nonce: n, tenant_code: tenant.code },
        }),
        503,
        'unavailable',
      );
    } finally {
      google.setJwksStatus(200);
      await fresh.close();
    }
  });

  it('is refused by a tenant that does not accept it (403) or has no client id configured (403)', async () => {
    const { token, nonce: n } = await googleToken();
    const emailOnly = await methodTenant(db, { providers: ['email_otp'] });
    expectProblem(await login(token, n, emailOnly.code), 403, 'provider_not_allowed');
    const unconfigured = await methodTenant(db, { providers: ['google'] });
    expectProblem(await login(token, n, unconfigured.code), 403, 'provider_not_configured');
  });

  it('answers bad input with 400 problems', async () => {
    const { token, nonce: n } = await googleToken();
    for (const body of [
      { provider: 'google', token, tenant_code: tenant.code },
      { provider: 'google', token, nonce: 'short', tenant_code: tenant.code },
      { provider: 'google', token: '', nonce: n, tenant_code: tenant.code },
      { provider: 'google', id_token: token, nonce: n, tenant_code: tenant.code },
      { provider: 'gooogle', token, nonce: n, tenant_code: tenant.code },
    ]) {
      expectProblem(await api('POST', '/auth/login', { body }), 400, 'validation_failed');
    }
  });

  it('links to a signed-in person only once, and never to a second person (409)', async () => {
    const sub = googleSub();
    const alice = await signIn(api, uniqueEmail('alice'), tenant.code);
    const bob = await signIn(api, uniqueEmail('bob'), tenant.code);
    expect(
      (await api('POST', '/auth/identities/google', { token: alice.token, body: await googleToken({ sub }) }))
        .status,
    ).toBe(201);
    expect(
      (await api('POST', '/auth/identities/google', { token: alice.token, body: await googleToken({ sub }) }))
        .status,
    ).toBe(200);
    expectProblem(
      await api('POST', '/auth/identities/google', { token: bob.token, body: await googleToken({ sub }) }),
      409,
      'identity_already_linked',
    );
    const bad = await googleToken({ sub: googleSub(), aud: 'someone-else' });
    expectProblem(
      await api('POST', '/auth/identities/google', { token: bob.token, body: bad }),
      401,
      'provider_token_invalid',
    );
  });
});
