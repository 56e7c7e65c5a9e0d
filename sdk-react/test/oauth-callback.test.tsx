// @vitest-environment jsdom
// useOAuthCallback (#17): the social sign-in callback page, against the mock and its fake OpenID Provider
// (the core's flow: authorize, the provider's page, callback, exchange), under Strict Mode.
import { render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { EnforcerProvider, useOAuthCallback, useSession } from '../src/index';
import { setupMockEnforcer } from './harness';

// vitest's jsdom environment gives WebCrypto's results another realm's ArrayBuffer, so oauth4webapi's
// `instanceof ArrayBuffer` (PKCE, in the mock's authorize) fails there. This file makes the global the one
// WebCrypto answers with, so the mock's flow runs; see docs/react.md (testing social sign-in).
const digest: object = await crypto.subtle.digest('SHA-256', new Uint8Array(1));
if (!(digest instanceof ArrayBuffer)) {
  globalThis.ArrayBuffer = digest.constructor as ArrayBufferConstructor;
}

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

/** signInWithOAuth, then the provider's redirects as a browser follows them: the app URL it lands on. */
async function landOnCallback(tenantCode: string, email: string) {
  const starter = h.client({ tenantCode });
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

describe('useOAuthCallback', () => {
  it('trades the code once (Strict Mode runs the effect twice), clears it, and signs the session in', async () => {
    const tenant = await oauthTenant();
    const email = `cb-${Math.random().toString(36).slice(2)}@example.com`;
    const landed = await landOnCallback(tenant.code, email);
    const enforcer = h.client({ tenantCode: tenant.code });
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

    // A code already traded by another client: the exchange refuses it.
    const landed = await landOnCallback(
      tenant.code,
      `used-${Math.random().toString(36).slice(2)}@example.com`,
    );
    await h.client({ tenantCode: tenant.code }).completeOAuthSignIn({ url: landed, replaceUrl: () => {} });
    const second = render(
      <EnforcerProvider client={enforcer}>
        <CallbackPage url={landed} />
      </EnforcerProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error'));
    expect(screen.getByTestId('error').textContent).toBe('oauth_code_invalid');
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
