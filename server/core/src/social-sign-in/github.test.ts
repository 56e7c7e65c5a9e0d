// GitHub sign-in (#17): GitHub's answers as it sends them (recorded shapes in ./fixtures), through the real
// client (oauth4webapi for the code exchange) over a fetch that answers without a network.
import { describe, expect, it } from 'vitest';
import emailsFixture from './fixtures/github-emails.json' with { type: 'json' };
import unverifiedPrimaryFixture from './fixtures/github-emails-unverified-primary.json' with { type: 'json' };
import tokenFixture from './fixtures/github-token.json' with { type: 'json' };
import tokenErrorFixture from './fixtures/github-token-error.json' with { type: 'json' };
import userFixture from './fixtures/github-user.json' with { type: 'json' };
import { githubIdentity } from './github.js';
import { type OAuthClientConfig, oauth4webapiClient } from './provider-client.js';

describe('githubIdentity', () => {
  it('proves the numeric user id with the verified primary email, lower-cased', () => {
    expect(githubIdentity(userFixture, emailsFixture)).toEqual({
      ok: true,
      value: {
        issuer: 'https://github.com',
        sub: '583231',
        email: 'octocat@github.com',
        emailVerified: true,
      },
    });
  });

  it('refuses an account whose primary email is unverified, even with a verified secondary one', () => {
    expect(githubIdentity(userFixture, unverifiedPrimaryFixture)).toMatchObject({
      ok: false,
      code: 'provider_email_unverified',
      reason: 'no_verified_primary_email',
    });
  });

  it('refuses an account with no email at all, or no primary', () => {
    expect(githubIdentity(userFixture, [])).toMatchObject({ code: 'provider_email_unverified' });
    const noPrimary = emailsFixture.map((e) => ({ ...e, primary: false }));
    expect(githubIdentity(userFixture, noPrimary)).toMatchObject({ code: 'provider_email_unverified' });
  });

  it('never takes the email of GET /user (public profile, not proven) in place of the emails API', () => {
    expect(userFixture.email).toBe('octocat@github.com');
    expect(githubIdentity(userFixture, unverifiedPrimaryFixture).ok).toBe(false);
  });

  it('refuses a user without a numeric id and an email list that is not a list', () => {
    expect(githubIdentity({ ...userFixture, id: '583231' }, emailsFixture)).toMatchObject({
      code: 'provider_token_invalid',
      reason: 'malformed_user',
    });
    expect(githubIdentity({ login: 'octocat' }, emailsFixture)).toMatchObject({ reason: 'malformed_user' });
    expect(githubIdentity(userFixture, { message: 'Not Found' })).toMatchObject({
      reason: 'malformed_emails',
    });
  });
});

describe('the GitHub client', () => {
  const config: OAuthClientConfig = {
    kind: 'github',
    issuer: 'https://github.com',
    clientId: 'Iv1.client',
    clientSecret: 'gh-secret',
    tokenEndpointAuth: 'client_secret_post',
  };
  const redirectUri = 'https://auth.example.com/api/v1/enforcer/auth/oauth/github/callback';

  /** GitHub as a fetch: records the requests, answers each path from `answers`. */
  function fakeGitHub(answers: Record<string, { status?: number; body: unknown }>) {
    const requests: Array<{ url: URL; headers: Headers; body: string }> = [];
    const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      requests.push({ url, headers: new Headers(init?.headers), body: String(init?.body ?? '') });
      const answer = answers[`${url.origin}${url.pathname}`];
      if (!answer) return new Response('not found', { status: 404 });
      return Response.json(answer.body, { status: answer.status ?? 200 });
    }) as typeof fetch;
    return { requests, fetcher };
  }

  const client = (fetcher: typeof fetch) =>
    oauth4webapiClient({ clock: { now: () => new Date() }, fetch: fetcher });

  const complete = (fetcher: typeof fetch, params = { code: 'gh-code', state: 'st-1' }) =>
    client(fetcher).complete(config, {
      params: new URLSearchParams(params),
      state: 'st-1',
      nonce: 'unused',
      codeVerifier: 'v'.repeat(43),
      redirectUri,
    });

  const happy = {
    'https://github.com/login/oauth/access_token': { body: tokenFixture },
    'https://api.github.com/user': { body: userFixture },
    'https://api.github.com/user/emails': { body: emailsFixture },
  };

  it("builds GitHub's authorization URL with PKCE S256 and user:email, without OpenID parameters", async () => {
    const url = new URL(
      await client(fakeGitHub({}).fetcher).authorizationUrl(config, {
        redirectUri,
        scopes: ['read:user'],
        state: 'st-1',
        nonce: 'n-1',
        codeVerifier: 'v'.repeat(43),
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://github.com/login/oauth/authorize');
    expect(url.searchParams.get('scope')).toBe('read:user user:email');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(url.searchParams.has('nonce')).toBe(false);
  });

  it('exchanges the code with the verifier and secret, then reads /user and /user/emails with the token', async () => {
    const gh = fakeGitHub(happy);
    const result = await complete(gh.fetcher);
    expect(result).toEqual({
      ok: true,
      value: {
        issuer: 'https://github.com',
        sub: '583231',
        email: 'octocat@github.com',
        emailVerified: true,
      },
    });
    const [token, user, emails] = gh.requests;
    const form = new URLSearchParams(token!.body);
    expect(form.get('code')).toBe('gh-code');
    expect(form.get('code_verifier')).toBe('v'.repeat(43));
    expect(form.get('client_secret')).toBe('gh-secret');
    expect(form.get('redirect_uri')).toBe(redirectUri);
    for (const call of [user, emails]) {
      expect(call!.headers.get('authorization')).toBe(`Bearer ${tokenFixture.access_token}`);
      expect(call!.headers.get('user-agent')).toBeTruthy();
    }
    expect(emails!.url.pathname).toBe('/user/emails');
  });

  it('refuses an unverified primary email after the API calls (nothing signed in)', async () => {
    const gh = fakeGitHub({
      ...happy,
      'https://api.github.com/user/emails': { body: unverifiedPrimaryFixture },
    });
    expect(await complete(gh.fetcher)).toMatchObject({ ok: false, code: 'provider_email_unverified' });
  });

  it("refuses GitHub's 200-with-error answer to a bad code, and never calls the API", async () => {
    const gh = fakeGitHub({
      ...happy,
      'https://github.com/login/oauth/access_token': { body: tokenErrorFixture },
    });
    expect(await complete(gh.fetcher)).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'token_endpoint_bad_verification_code',
    });
    expect(gh.requests).toHaveLength(1);
  });

  it('refuses when the emails API is not reachable with the token (scope not granted)', async () => {
    const gh = fakeGitHub({
      ...happy,
      'https://api.github.com/user/emails': { status: 404, body: { message: 'Not Found' } },
    });
    expect(await complete(gh.fetcher)).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'api_404',
    });
  });

  it('refuses a callback whose state is not the flow’s, and a denied authorization', async () => {
    const gh = fakeGitHub(happy);
    expect(await complete(gh.fetcher, { code: 'gh-code', state: 'other' })).toMatchObject({ ok: false });
    expect(await complete(gh.fetcher, { error: 'access_denied', state: 'st-1' } as never)).toMatchObject({
      ok: false,
      reason: 'provider_error_access_denied',
    });
    expect(gh.requests).toHaveLength(0);
  });
});
