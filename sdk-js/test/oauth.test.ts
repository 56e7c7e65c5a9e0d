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

    // The same code again: refused (single use).
    await expect(enforcer.completeOAuthSignIn({ url: landed, replaceUrl: () => {} })).rejects.toMatchObject({
      code: 'oauth_code_invalid',
    });
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
