// Social sign-in with GitHub (#17): GitHub is OAuth 2.0 without OpenID Connect, so the identity comes from
// its REST API (GET /user, the verified primary email of GET /user/emails). The whole redirect flow over
// HTTP against a GitHub stand-in on loopback (ENFORCER_OAUTH_TEST_ENDPOINTS, accepted only in tests).
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, uniqueEmail } from './admin-setup.js';
import { type GitHubUser, startFakeGitHub } from './github-provider.js';
import { startServer } from './harness.js';
import { APP_CHALLENGE, APP_VERIFIER } from './oauth-app.js';

const github = await startFakeGitHub({ id: 'Iv1.enforcer', secret: 'gh-secret-1' });
afterAll(() => github.close());
const server = await startServer({
  env: {
    ENFORCER_OAUTH_TEST_ENDPOINTS: JSON.stringify({ github: { web: github.origin, api: github.origin } }),
  },
});
const { api } = server;
const APP = 'http://localhost:5173/auth/callback';

const seeded = await seedTenant(server, 'Octo Bank');
const { tenant, owner } = seeded;
await server.db.updateTenant(tenant.id, { authProviders: ['email_otp', 'oauth'], allowSignup: true });
const put = await api('PUT', `/tenants/${tenant.id}/oauth`, {
  token: owner.token,
  body: {
    providers: [{ name: 'github', kind: 'github', client_id: 'Iv1.enforcer', client_secret: 'gh-secret-1' }],
    redirect_urls: [APP],
  },
});
expect(put.status, JSON.stringify(put.body)).toBe(200);

const visit = (url: string) => fetch(url, { redirect: 'manual' });
const onServer = (url: string) => url.replace(server.config.issuer, server.baseUrl);
let nextId = 1000;
const user = (emails: GitHubUser['emails']): GitHubUser => ({ id: nextId++, login: 'octo', emails });

/** Authorize at Enforcer → GitHub approves as `who` → Enforcer's callback (answers its redirect). */
async function signInThroughGitHub(who: GitHubUser) {
  github.nextUser(who);
  const start = await visit(
    `${server.baseUrl}/auth/oauth/github/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
  );
  expect(start.status, await start.clone().text()).toBe(302);
  const authorization = new URL(start.headers.get('location')!);
  const atGitHub = await visit(authorization.href);
  expect(atGitHub.status, await atGitHub.clone().text()).toBe(302);
  const callbackUrl = onServer(atGitHub.headers.get('location')!);
  const back = await visit(callbackUrl);
  expect(back.status, await back.clone().text()).toBe(302);
  return { authorization, callbackUrl, back: new URL(back.headers.get('location')!) };
}

const exchange = (code: string) =>
  api('POST', '/auth/oauth/exchange', { body: { code, code_verifier: APP_VERIFIER } });

describe('social sign-in with GitHub', () => {
  it("the preset fixes GitHub's issuer, the user:email scope and client_secret_post; it needs a secret", async () => {
    const read = await api('GET', `/tenants/${tenant.id}/oauth`, { token: owner.token });
    expect(read.body.providers[0]).toEqual({
      name: 'github',
      kind: 'github',
      issuer: 'https://github.com',
      client_id: 'Iv1.enforcer',
      client_secret_set: true,
      scopes: ['read:user', 'user:email'],
      token_endpoint_auth: 'client_secret_post',
    });
    const other = await seedTenant(server, 'Other');
    for (const provider of [
      { name: 'gh', kind: 'github', client_id: 'c', client_secret: null },
      { name: 'gh', kind: 'github', client_id: 'c', client_secret: 's', issuer: 'https://evil.example' },
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
  });

  it('signs a new person in with the verified primary email: PKCE, no nonce, identity by GitHub user id', async () => {
    const email = uniqueEmail('octo');
    const who = user([
      { email: 'octo@users.noreply.github.com', primary: false, verified: true },
      { email, primary: true, verified: true },
    ]);
    const { authorization, back } = await signInThroughGitHub(who);
    expect(authorization.origin).toBe(github.origin);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('scope')).toBe('read:user user:email');
    expect(authorization.searchParams.has('nonce')).toBe(false);
    expect(authorization.searchParams.get('redirect_uri')).toBe(
      `${server.config.issuer}/auth/oauth/github/callback`,
    );
    // The stand-in checked the verifier against the challenge and the secret in the body.
    const tokenRequest = github.tokenRequests.at(-1)!;
    expect(tokenRequest.get('client_secret')).toBe('gh-secret-1');
    expect(tokenRequest.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const signedIn = await exchange(back.searchParams.get('code')!);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.person).toMatchObject({ email, email_verified: true });
    const identities = await api('GET', '/auth/identities', { token: signedIn.body.token });
    expect(identities.body.data).toContainEqual(
      expect.objectContaining({ provider: 'oidc', subject: `https://github.com|${who.id}`, email }),
    );
    // The same GitHub user again (even with another email now): the same person.
    const again = await signInThroughGitHub({
      ...who,
      emails: [{ email: uniqueEmail('renamed'), primary: true, verified: true }],
    });
    const second = await exchange(again.back.searchParams.get('code')!);
    expect(second.body.person.id).toBe(signedIn.body.person.id);
  });

  it('refuses an account without a verified primary email: back to the app with provider_email_unverified', async () => {
    const before = await server.db.records('people').count({});
    const { back } = await signInThroughGitHub(
      user([
        { email: uniqueEmail('secondary'), primary: false, verified: true },
        { email: seeded.admin.email, primary: true, verified: false },
      ]),
    );
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('provider_email_unverified');
    expect(await server.db.records('people').count({})).toBe(before);
    const [event] = await server.db
      .records('auditEvents')
      .find({ action: 'auth.oauth.failed' }, { orderBy: { createdAt: 'desc' }, limit: 1 });
    expect(event!.details).toMatchObject({ provider: 'github', reason: 'no_verified_primary_email' });
  });

  it('a verified primary email someone already has is 409 email_in_use (never linked silently)', async () => {
    const { back } = await signInThroughGitHub(
      user([{ email: seeded.admin.email, primary: true, verified: true }]),
    );
    expectProblem(await exchange(back.searchParams.get('code')!), 409, 'email_in_use');
  });

  it('a replayed callback is refused (state spent); a code GitHub refuses comes back as an error', async () => {
    const { callbackUrl } = await signInThroughGitHub(
      user([{ email: uniqueEmail('replay'), primary: true, verified: true }]),
    );
    const replay = await visit(callbackUrl);
    expect(replay.status).toBe(400);
    expect((await replay.json()).code).toBe('oauth_state_invalid');

    // A forged code with a fresh state: GitHub's token endpoint answers 200 with an error body.
    github.nextUser(user([{ email: uniqueEmail('forged'), primary: true, verified: true }]));
    const start = await visit(
      `${server.baseUrl}/auth/oauth/github/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
    );
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const answer = await visit(`${server.baseUrl}/auth/oauth/github/callback?code=forged&state=${state}`);
    const back = new URL(answer.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('provider_token_invalid');
    const [event] = await server.db
      .records('auditEvents')
      .find({ action: 'auth.oauth.failed' }, { orderBy: { createdAt: 'desc' }, limit: 1 });
    expect(event!.details).toMatchObject({ reason: 'token_endpoint_bad_verification_code' });
  });
});
