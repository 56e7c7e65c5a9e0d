// Sign in with Apple (#17): the ES256 client secret JWT, `response_mode=form_post` (the callback takes a
// form POST) and the name on the first sign-in only, over HTTP through the real redirect flow against an
// Apple stand-in on loopback (ENFORCER_OAUTH_TEST_ENDPOINTS, accepted only in tests).
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, uniqueEmail } from './admin-setup.js';
import { type AppleUser, startFakeApple } from './apple-provider.js';
import { startServer } from './harness.js';
import { APP_CHALLENGE, APP_VERIFIER } from './oauth-app.js';

const team = await generateKeyPair('ES256', { extractable: true });
const teamKeyPem = await exportPKCS8(team.privateKey);
const appleClient = {
  id: 'com.example.bank.web',
  teamId: 'TEAM123456',
  keyId: 'KEY1234567',
  teamPublicKeyPem: await exportSPKI(team.publicKey),
};
const apple = await startFakeApple(appleClient);
afterAll(() => apple.close());
const server = await startServer({
  env: { ENFORCER_OAUTH_TEST_ENDPOINTS: JSON.stringify({ apple: apple.origin }) },
});
const { api } = server;
const APP = 'http://localhost:5173/auth/callback';

const seeded = await seedTenant(server, 'Orchard Bank');
const { tenant, owner } = seeded;
await server.db.updateTenant(tenant.id, { authProviders: ['email_otp', 'oauth'], allowSignup: true });
const appleProvider = {
  name: 'apple',
  kind: 'apple',
  client_id: appleClient.id,
  apple_team_id: appleClient.teamId,
  apple_key_id: appleClient.keyId,
};
const put = await api('PUT', `/tenants/${tenant.id}/oauth`, {
  token: owner.token,
  body: { providers: [{ ...appleProvider, apple_private_key: teamKeyPem }], redirect_urls: [APP] },
});
expect(put.status, JSON.stringify(put.body)).toBe(200);

const onServer = (url: string) => url.replace(server.config.issuer, server.baseUrl);

/** Authorize → Apple → the form Apple's page posts to Enforcer's callback; answers where Enforcer redirects. */
async function signInWithApple(who: AppleUser) {
  apple.nextUser(who);
  const start = await fetch(
    `${server.baseUrl}/auth/oauth/apple/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
    { redirect: 'manual' },
  );
  expect(start.status, await start.clone().text()).toBe(302);
  const authorization = new URL(start.headers.get('location')!);
  const page = await fetch(authorization);
  expect(page.status, await page.clone().text()).toBe(200);
  const form = (await page.json()) as { action: string; fields: Record<string, string> };
  const post = () =>
    fetch(onServer(form.action), {
      method: 'POST',
      // Posted by Apple's page: a cross-site form navigation.
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://appleid.apple.com' },
      body: new URLSearchParams(form.fields).toString(),
      redirect: 'manual',
    });
  const back = await post();
  expect(back.status, await back.clone().text()).toBe(302);
  return { authorization, form, post, back: new URL(back.headers.get('location')!) };
}

const exchange = (code: string) =>
  api('POST', '/auth/oauth/exchange', { body: { code, code_verifier: APP_VERIFIER } });
const appleUser = (name: string): AppleUser => ({
  sub: `000${Math.random().toString(16).slice(2)}.${name}.0001`,
  email: uniqueEmail(name),
  firstName: 'Jane',
  lastName: 'Appleseed',
});

describe('Sign in with Apple', () => {
  it('stores the private key encrypted and write-only; answers the team and key ids', async () => {
    expect(put.body.providers[0]).toEqual({
      name: 'apple',
      kind: 'apple',
      issuer: 'https://appleid.apple.com',
      client_id: appleClient.id,
      client_secret_set: true,
      scopes: ['name', 'email'],
      token_endpoint_auth: 'client_secret_post',
      apple_team_id: 'TEAM123456',
      apple_key_id: 'KEY1234567',
    });
    const read = await api('GET', `/tenants/${tenant.id}/oauth`, { token: owner.token });
    expect(read.body.providers).toEqual(put.body.providers);
    const row = await server.db.records('oauthSettings').one({ tenant: tenant.id });
    expect(JSON.stringify(row.providers)).not.toContain('PRIVATE KEY');
    const body = teamKeyPem.split('\n')[1]!;
    expect(JSON.stringify(row.providers)).not.toContain(body);
  });

  it('refuses an Apple provider without a key, with a key that is not ES256, or with a client_secret', async () => {
    const other = await seedTenant(server, 'Orchard 2');
    const rsa = await generateKeyPair('RS256', { extractable: true });
    for (const provider of [
      appleProvider,
      { ...appleProvider, apple_private_key: await exportPKCS8(rsa.privateKey) },
      { ...appleProvider, apple_private_key: teamKeyPem, client_secret: 'x' },
      { ...appleProvider, apple_key_id: undefined, apple_private_key: teamKeyPem },
    ]) {
      expectProblem(
        await api('PUT', `/tenants/${other.tenant.id}/oauth`, {
          token: other.owner.token,
          body: { providers: [provider], redirect_urls: [APP] },
        }),
        400,
        'validation_failed',
      );
    }
    // Sent again without the key: the stored one is kept.
    const again = await api('PUT', `/tenants/${tenant.id}/oauth`, {
      token: owner.token,
      body: { providers: [appleProvider], redirect_urls: [APP] },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.providers[0].client_secret_set).toBe(true);

    // Another key id without its key is refused; the stored Apple key never becomes another provider's secret.
    expectProblem(
      await api('PUT', `/tenants/${tenant.id}/oauth`, {
        token: owner.token,
        body: { providers: [{ ...appleProvider, apple_key_id: 'KEY7654321' }], redirect_urls: [APP] },
      }),
      400,
      'validation_failed',
    );
    const third = await seedTenant(server, 'Orchard 3');
    await api('PUT', `/tenants/${third.tenant.id}/oauth`, {
      token: third.owner.token,
      body: { providers: [{ ...appleProvider, apple_private_key: teamKeyPem }], redirect_urls: [APP] },
    });
    const switched = await api('PUT', `/tenants/${third.tenant.id}/oauth`, {
      token: third.owner.token,
      body: {
        providers: [{ name: 'apple', kind: 'oidc', issuer: 'https://idp.example.com', client_id: 'c' }],
        redirect_urls: [APP],
      },
    });
    expect(switched.status, JSON.stringify(switched.body)).toBe(200);
    expect(switched.body.providers[0]).toMatchObject({
      client_secret_set: false,
      token_endpoint_auth: 'none',
    });
  });

  it('first sign-in: form_post callback, the name of the user field becomes the new person’s display name', async () => {
    const who = appleUser('jane');
    const { authorization, form, back } = await signInWithApple(who);
    expect(authorization.origin).toBe(apple.origin);
    expect(authorization.searchParams.get('response_mode')).toBe('form_post');
    expect(authorization.searchParams.get('scope')).toBe('name email');
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(form.fields.user).toBeDefined();
    const signedIn = await exchange(back.searchParams.get('code')!);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.person).toMatchObject({
      email: who.email,
      email_verified: true,
      display_name: 'Jane Appleseed',
    });
    const identities = await api('GET', '/auth/identities', { token: signedIn.body.token });
    expect(identities.body.data).toContainEqual(
      expect.objectContaining({ provider: 'oidc', subject: `https://appleid.apple.com|${who.sub}` }),
    );

    // Later sign-ins carry no user field: the same person, the name kept.
    const later = await signInWithApple({ ...who, firstName: 'Changed' });
    expect(later.form.fields.user).toBeUndefined();
    const second = await exchange(later.back.searchParams.get('code')!);
    expect(second.body.person).toMatchObject({ id: signedIn.body.person.id, display_name: 'Jane Appleseed' });
  });

  it('a replayed form post is refused (state spent), and a forged state is refused without a redirect', async () => {
    const { post } = await signInWithApple(appleUser('replay'));
    const replay = await post();
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
    expect((await replay.json()).code).toBe('oauth_state_invalid');
  });

  it('linking Apple to a signed-in person does not rename them with the user field', async () => {
    const me = async () => (await api('GET', '/auth/me', { token: seeded.member.token })).body;
    const before = await me();
    apple.nextUser(appleUser('linker'));
    const started = await api('POST', '/auth/oauth/apple/authorize', {
      token: seeded.member.token,
      body: { tenant_code: tenant.code, redirect_uri: APP, intent: 'link', code_challenge: APP_CHALLENGE },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const page = await fetch(started.body.authorization_url);
    const form = (await page.json()) as { action: string; fields: Record<string, string> };
    expect(form.fields.user).toBeDefined();
    const back = await fetch(onServer(form.action), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form.fields).toString(),
      redirect: 'manual',
    });
    const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
    const linked = await api('POST', '/auth/oauth/exchange', {
      token: seeded.member.token,
      body: { code, code_verifier: APP_VERIFIER },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    const after = await me();
    expect(JSON.stringify(after)).not.toContain('Appleseed');
    expect(after.person?.display_name ?? after.display_name ?? null).toBe(
      before.person?.display_name ?? before.display_name ?? null,
    );
  });
});
