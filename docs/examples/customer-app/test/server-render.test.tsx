// Server rendering (no DOM): what the server sends before the browser takes over. The request's
// access-token cookie (the browser SDK's `accessTokenCookie`) is verified offline by the verifier, and
// the page renders from that session: signed in, with the server's decisions, and no loading state.
import { defaultPolicy } from '@enforcer/contract';
import { createVerifier, sessionFromRequest, type Verifier } from '@enforcer/node-verifier';
import { EnforcerProvider } from '@enforcer/react';
import { createEnforcerMock } from '@enforcer/sdk-js/msw';
import { setupServer } from 'msw/node';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withStatements } from '../src/policy.js';
import { TransferPage } from '../src/TransferPage.js';

const mock = createEnforcerMock({ baseUrl: 'https://enforcer.test' });
const msw = setupServer(...mock.handlers);
const tenant = mock.seed.tenant({ policy: withStatements(defaultPolicy()) });
mock.seed.account({ tenant: tenant.id, email: 'alice@example.com', groups: ['verified'] });
mock.seed.account({ tenant: tenant.id, email: 'bob@example.com' });

let verifier: Verifier;
beforeAll(async () => {
  msw.listen({ onUnhandledFrame: 'error' });
  verifier = createVerifier({
    issuer: mock.issuer,
    audience: 'enforcer',
    jwksUri: `${mock.issuer}/.well-known/jwks.json`,
    policy: { baseUrl: mock.issuer, apiKey: mock.seed.apiKey({ tenant: tenant.id, role: 'admin' }).key },
  });
  await verifier.ready();
});
afterAll(() => {
  verifier.close();
  msw.close();
});

/** What the server does for a page request: the session from its cookie, then the page rendered with it. */
async function renderFor(cookie: string | null): Promise<string> {
  const request = new Headers(cookie ? { cookie } : {});
  const session = await sessionFromRequest(verifier, request, { actions: ['transfers.create'] });
  expect(typeof window).toBe('undefined');
  return renderToString(
    <EnforcerProvider
      options={{ baseUrl: mock.baseUrl, tenantCode: tenant.code, accessTokenCookie: true }}
      initialSession={session}
    >
      <TransferPage />
    </EnforcerProvider>,
  );
}

it('renders signed in, with the transfer button, for a verified person: no loading state', async () => {
  const { token } = await mock.signIn({ tenant: tenant.id, email: 'alice@example.com' });
  const html = await renderFor(`theme=dark; enforcer-access-token=${token}`);
  expect(html).toContain('Send money');
  expect(html).not.toContain('Loading…');
});

it('renders the locked state for a person who has not passed KYC', async () => {
  const { token } = await mock.signIn({ tenant: tenant.id, email: 'bob@example.com' });
  const html = await renderFor(`enforcer-access-token=${token}`);
  expect(html).toContain('Verify your identity to send money.');
  expect(html).not.toContain('Send money</button>');
});

it('renders the sign-in form without a cookie, and treats a forged token as signed out', async () => {
  for (const cookie of [null, 'enforcer-access-token=e30.e30.forged']) {
    const html = await renderFor(cookie);
    expect(html).toContain('Send me a code');
    expect(html).not.toContain('Loading…');
  }
});
