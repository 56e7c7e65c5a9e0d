import { describe, expect, it } from 'vitest';
import { EnforcerError, unwrap } from '../src/index';
import { useMockEnforcer } from './harness';

const h = useMockEnforcer();
const APP = 'https://app.example/auth/callback?from=login';

/** A tenant accepting social sign-in through the mock's fake OpenID Provider (configured over the API). */
async function oauthTenant() {
  const tenant = h.mock.seed.tenant({
    name: 'Social',
    authProviders: ['email_otp', 'oauth'],
    allowSignup: true,
  });
  const { key } = h.mock.seed.apiKey({ tenant, role: 'owner' });
  const admin = h.sdk({ tenantCode: tenant.code });
  const { oauthProvider } = h.mock;
  const put = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/tenants/${tenant.id}/oauth`, {
    method: 'PUT',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      providers: [
        {
          name: 'idp',
          kind: 'oidc',
          issuer: oauthProvider.issuer,
          client_id: oauthProvider.clientId,
          client_secret: oauthProvider.clientSecret,
        },
      ],
      redirect_urls: [APP],
    }),
  });
  expect(put.status, await put.clone().text()).toBe(200);
  admin.destroy();
  return tenant;
}

/** Follows the provider's redirects as a browser would, until it lands back on the app. */
async function browse(url: string): Promise<string> {
  let at = url;
  for (let i = 0; i < 5; i++) {
    if (at.startsWith('https://app.example/')) return at;
    const response = await fetch(at, { redirect: 'manual' });
    expect(response.status, await response.clone().text()).toBe(302);
    at = new URL(response.headers.get('location')!, at).href;
  }
  throw new Error('never came back to the app');
}

describe('social sign-in (browser SDK against the mock and its fake provider)', () => {
  it('signInWithOAuth goes to the provider; completeOAuthSignIn clears the code from the URL and signs in', async () => {
    const tenant = await oauthTenant();
    const enforcer = h.sdk({ tenantCode: tenant.code });
    const email = `oauth-${Math.random().toString(36).slice(2)}@example.com`;
    h.mock.oauthProvider.nextSignIn({ sub: 'person-1', email });
    let went = '';
    await enforcer.signInWithOAuth('idp', { redirectTo: APP, navigate: (url) => (went = url) });
    const authorization = new URL(went);
    expect(authorization.origin).toBe(h.mock.oauthProvider.issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');

    const landed = await browse(went);
    expect(new URL(landed).searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    let addressBar = landed;
    const result = await enforcer.completeOAuthSignIn({
      url: landed,
      replaceUrl: (url) => (addressBar = url),
    });
    expect(addressBar).toBe(APP);
    expect(result?.status).toBe('signed_in');
    const snapshot = enforcer.getSnapshot();
    expect(snapshot.status === 'signed_in' && snapshot.person.email).toBe(email);

    // The same code again: its verifier was presented once and is gone, so nothing is sent.
    const exchanges = h.mock.count('oauthSignIn.exchange');
    await expect(enforcer.completeOAuthSignIn({ url: landed, replaceUrl: () => {} })).rejects.toMatchObject({
      code: 'oauth_code_verifier_invalid',
    });
    expect(h.mock.count('oauthSignIn.exchange')).toBe(exchanges);
  });

  it('binds the code to the verifier it keeps: the challenge goes to Enforcer, the verifier to the exchange only', async () => {
    const tenant = await oauthTenant();
    const sent: Array<{ url: string; body: Record<string, string> }> = [];
    const enforcer = h.sdk({
      tenantCode: tenant.code,
      fetch: (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (url.includes('/auth/oauth/') && typeof init?.body === 'string') {
          sent.push({ url, body: JSON.parse(init.body) });
        }
        return fetch(input, init);
      },
    });
    h.mock.oauthProvider.nextSignIn({
      sub: 'bound',
      email: `bound-${Math.random().toString(36).slice(2)}@example.com`,
    });
    let went = '';
    await enforcer.signInWithOAuth('idp', { redirectTo: APP, navigate: (url) => (went = url) });
    const challenge = sent[0]!.body.code_challenge!;
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent[0]!.body.code_verifier).toBeUndefined();
    const landed = await browse(went);
    expect(landed).not.toContain(challenge);
    // Someone else who read the URL: another client, without this one's verifier, sends nothing.
    const stranger = h.sdk({ tenantCode: tenant.code });
    await expect(stranger.completeOAuthSignIn({ url: landed, replaceUrl: () => {} })).rejects.toMatchObject({
      code: 'oauth_code_verifier_invalid',
    });
    // ... nor with a verifier of its own: the server refuses it, and the code is spent.
    const code = new URL(landed).searchParams.get('code')!;
    const guessed = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/auth/oauth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, code_verifier: 'y'.repeat(43) }),
    });
    expect(guessed.status).toBe(401);
    expect((await guessed.json()).code).toBe('oauth_code_verifier_invalid');
    await expect(enforcer.completeOAuthSignIn({ url: landed, replaceUrl: () => {} })).rejects.toMatchObject({
      code: 'oauth_code_invalid',
    });
    // What the app sent: the verifier whose S256 hash is the challenge.
    const exchange = sent.find((s) => s.url.endsWith('/auth/oauth/exchange'))!;
    const digest = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(exchange.body.code_verifier),
    );
    expect(Buffer.from(digest).toString('base64url')).toBe(challenge);
  });

  it('answers null on a page without a code, throws the flow error, and refuses an unregistered redirect before navigating', async () => {
    const tenant = await oauthTenant();
    const enforcer = h.sdk({ tenantCode: tenant.code });
    expect(await enforcer.completeOAuthSignIn({ url: APP, replaceUrl: () => {} })).toBeNull();
    let cleared = '';
    const failed = enforcer.completeOAuthSignIn({
      url: `${APP}&error=provider_token_invalid&error_description=nope`,
      replaceUrl: (url) => (cleared = url),
    });
    await expect(failed).rejects.toBeInstanceOf(EnforcerError);
    await expect(failed).rejects.toMatchObject({ code: 'provider_token_invalid' });
    expect(cleared).toBe(APP);
    let went: string | undefined;
    await expect(
      enforcer.signInWithOAuth('idp', {
        redirectTo: 'https://evil.example/cb',
        navigate: (url) => (went = url),
      }),
    ).rejects.toMatchObject({ code: 'redirect_uri_not_allowed' });
    expect(went).toBeUndefined();
  });

  it('linkOAuth binds the provider to the signed-in person', async () => {
    const tenant = await oauthTenant();
    const enforcer = h.sdk({ tenantCode: tenant.code });
    const email = `link-${Math.random().toString(36).slice(2)}@example.com`;
    const otp = await enforcer.requestOtp(email);
    await enforcer.signInWithOtp({ email, otp: otp.code! });
    h.mock.oauthProvider.nextSignIn({ sub: 'to-link', email: 'other@example.com', emailVerified: false });
    let went = '';
    await enforcer.linkOAuth('idp', { redirectTo: APP, navigate: (url) => (went = url) });
    const result = await enforcer.completeOAuthSignIn({ url: await browse(went), replaceUrl: () => {} });
    expect(result).toMatchObject({
      status: 'linked',
      created: true,
      identity: { provider: 'oidc', subject: `${h.mock.oauthProvider.issuer}|to-link` },
    });
    const identities = await unwrap(enforcer.api.auth.identities());
    expect(identities.data.map((i) => i.provider)).toContain('oidc');
  });
});
