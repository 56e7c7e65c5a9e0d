// @vitest-environment jsdom
// useOAuthCallback (#17): the social sign-in callback page, against the mock and its fake OpenID Provider
// (the core's flow: authorize, the provider's page, callback, exchange), under Strict Mode.
import { render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { EnforcerProvider, useOAuthCallback, useSession } from '../src/index';
import { setupMockEnforcer } from './harness';

// No workaround here: vitest's jsdom environment gives WebCrypto's results another realm's ArrayBuffer than
// the global one, and the mock's flow (the core over oauth4webapi) must work as it is (the first test checks
// that the two realms really differ, so this file keeps testing what it says).

const h = setupMockEnforcer();
const APP = 'https://app.example/auth/callback';

/** A tenant signing in through the mock's fake provider, configured over the API. */
async function oauthTenant() {
  const tenant = h.mock.seed.tenant({
    name: 'Social',
    authProviders: ['email_otp', 'oauth'],
    allowSignup: true,
  });
  const { key } = h.mock.seed.apiKey({ tenant, role: 'owner' });
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
  return tenant;
}

/** The app's storage key: the page that starts the flow and its callback page are the same app. */
const STORAGE_KEY = h.key();

/** signInWithOAuth, then the provider's redirects as a browser follows them: the app URL it lands on. */
async function landOnCallback(tenantCode: string, email: string) {
  const starter = h.client({ tenantCode, storageKey: STORAGE_KEY });
  h.mock.oauthProvider.nextSignIn({ sub: `sub-${email}`, email });
  let at = '';
  await starter.signInWithOAuth('idp', { redirectTo: APP, navigate: (url) => (at = url) });
  for (let i = 0; i < 5 && !at.startsWith(APP); i++) {
    const response = await fetch(at, { redirect: 'manual' });
    at = new URL(response.headers.get('location')!, at).href;
  }
  expect(at.startsWith(APP)).toBe(true);
  return at;
}

function CallbackPage(props: { url?: string; onReplace?: (url: string) => void }) {
  const state = useOAuthCallback(
    props.url === undefined ? {} : { url: props.url, replaceUrl: props.onReplace ?? (() => {}) },
  );
  const session = useSession();
  return (
    <>
      <p data-testid="status">{state.status}</p>
      <p data-testid="error">{state.status === 'error' ? state.error.code : ''}</p>
      <p data-testid="session">{session.status === 'signed_in' ? session.person.email : session.status}</p>
    </>
  );
}

/** A tenant signing in with the mock's Apple stand-in (form post, client secret JWT), under jsdom. */
async function appleTenant() {
  const tenant = h.mock.seed.tenant({ name: 'Apple', authProviders: ['oauth'], allowSignup: true });
  const { key } = h.mock.seed.apiKey({ tenant, role: 'owner' });
  const apple = h.mock.appleProvider;
  const put = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/tenants/${tenant.id}/oauth`, {
    method: 'PUT',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      providers: [
        {
          name: 'apple',
          kind: 'apple',
          client_id: apple.clientId,
          apple_team_id: apple.teamId,
          apple_key_id: apple.keyId,
          apple_private_key: await apple.privateKeyPem(),
        },
      ],
      redirect_urls: [APP],
    }),
  });
  expect(put.status, await put.clone().text()).toBe(200);
  return tenant;
}

describe('useOAuthCallback', () => {
  it('trades the code once (Strict Mode runs the effect twice), clears it, and signs the session in', async () => {
    // The environment this file is about: WebCrypto's ArrayBuffer is not the global one (jsdom's).
    expect((await crypto.subtle.digest('SHA-256', new Uint8Array(1))) instanceof ArrayBuffer).toBe(false);
    const tenant = await oauthTenant();
    const email = `cb-${Math.random().toString(36).slice(2)}@example.com`;
    const landed = await landOnCallback(tenant.code, email);
    // The verifier waits in this tab's sessionStorage (jsdom's), for the callback page's client.
    expect(sessionStorage.getItem(`${STORAGE_KEY}.oauth_verifier`)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const enforcer = h.client({ tenantCode: tenant.code, storageKey: STORAGE_KEY });
    const replaced: string[] = [];
    render(
      <StrictMode>
        <EnforcerProvider client={enforcer}>
          <CallbackPage url={landed} onReplace={(url) => replaced.push(url)} />
        </EnforcerProvider>
      </StrictMode>,
    );
    expect(screen.getByTestId('status').textContent).toBe('pending');
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('signed_in'));
    expect(screen.getByTestId('session').textContent).toBe(email);
    expect(replaced).toEqual([APP]);
    expect(screen.getByTestId('error').textContent).toBe('');
    expect(sessionStorage.getItem(`${STORAGE_KEY}.oauth_verifier`)).toBeNull();
  });

  it('signs in through the Apple stand-in (its form post, the client secret JWT) under jsdom', async () => {
    const tenant = await appleTenant();
    const email = `apple-${Math.random().toString(36).slice(2)}@example.com`;
    h.mock.appleProvider.nextSignIn({ email, firstName: 'Ada', lastName: 'Lovelace' });
    const starter = h.client({ tenantCode: tenant.code, storageKey: STORAGE_KEY });
    let went = '';
    await starter.signInWithOAuth('apple', { redirectTo: APP, navigate: (url) => (went = url) });
    const landed = await h.mock.followOAuthRedirects(went);
    const enforcer = h.client({ tenantCode: tenant.code, storageKey: STORAGE_KEY });
    render(
      <EnforcerProvider client={enforcer}>
        <CallbackPage url={landed} />
      </EnforcerProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('signed_in'));
    expect(screen.getByTestId('session').textContent).toBe(email);
    const snapshot = enforcer.getSnapshot();
    expect(snapshot.status === 'signed_in' && snapshot.person.display_name).toBe('Ada Lovelace');
  });

  it("reads the address bar once: under Strict Mode the second effect still answers the flow's error", async () => {
    // No `url`: the hook reads location.href, and the default replaceUrl (history.replaceState) clears it.
    window.history.replaceState(
      null,
      '',
      '/auth/callback?error=provider_email_unverified&error_description=no',
    );
    const tenant = await oauthTenant();
    render(
      <StrictMode>
        <EnforcerProvider client={h.client({ tenantCode: tenant.code })}>
          <CallbackPage />
        </EnforcerProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error'));
    expect(screen.getByTestId('error').textContent).toBe('provider_email_unverified');
    expect(window.location.search).toBe('');
  });

  it("answers the flow's error, a used code's refusal, and no_code on a page without one", async () => {
    const tenant = await oauthTenant();
    const enforcer = h.client({ tenantCode: tenant.code });
    const { unmount } = render(
      <EnforcerProvider client={enforcer}>
        <CallbackPage url={`${APP}?error=provider_email_unverified&error_description=no`} />
      </EnforcerProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error'));
    expect(screen.getByTestId('error').textContent).toBe('provider_email_unverified');
    unmount();

    // A code already traded by another client: its verifier went with that exchange, so this one has none.
    const landed = await landOnCallback(
      tenant.code,
      `used-${Math.random().toString(36).slice(2)}@example.com`,
    );
    await h
      .client({ tenantCode: tenant.code, storageKey: STORAGE_KEY })
      .completeOAuthSignIn({ url: landed, replaceUrl: () => {} });
    const second = render(
      <EnforcerProvider client={enforcer}>
        <CallbackPage url={landed} />
      </EnforcerProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error'));
    expect(screen.getByTestId('error').textContent).toBe('oauth_code_verifier_invalid');
    expect(screen.getByTestId('session').textContent).not.toContain('@');
    second.unmount();

    render(
      <EnforcerProvider client={enforcer}>
        <CallbackPage url={APP} />
      </EnforcerProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('no_code'));
  });
});
