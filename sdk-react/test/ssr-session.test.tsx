// @vitest-environment jsdom
// Server rendering with the server's session (#20), framework-neutral: the "server" reads the access token
// from the request's cookie with `sessionFromRequest` (@enforcer/node-verifier, verified offline against
// the mock's keys and policy), renders with renderToString and `initialSession`, and the browser hydrates
// the same markup: signed in and decided from the first byte, never a "loading" state, no mismatch.
import { createVerifier, sessionFromRequest } from '@enforcer/node-verifier';
import { act, screen } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Can,
  EnforcerProvider,
  type InitialSession,
  SessionLoading,
  SignedIn,
  SignedOut,
  useCan,
  useSessionStatus,
} from '../src/index';
import { setupMockEnforcer } from './harness';

const h = setupMockEnforcer();

/** Every status and decision each render saw, in order (the server's and the browser's). */
const seen: string[] = [];

function Page() {
  const status = useSessionStatus();
  const read = useCan('tenants.read');
  seen.push(`${status}/${read.status}`);
  return (
    <main>
      <p>status:{status}</p>
      <SessionLoading>
        <p>skeleton</p>
      </SessionLoading>
      <SignedOut>
        <p>sign-in form</p>
      </SignedOut>
      <SignedIn>
        <p>dashboard</p>
      </SignedIn>
      <Can action="groups.create" fallback={<p>no groups admin</p>} loading={<p>deciding</p>}>
        <p>groups admin</p>
      </Can>
    </main>
  );
}

afterEach(() => {
  document.body.innerHTML = '';
  seen.length = 0;
});

/** What a server does per request: the session from the request's cookie, verified offline. */
async function serverSession(tenantId: string, cookie: string | undefined): Promise<InitialSession> {
  const baseUrl = `${h.mock.baseUrl}/api/v1/enforcer`;
  const verifier = createVerifier({
    issuer: h.mock.issuer,
    audience: 'enforcer',
    jwks: (await h.mock.jwks()) as never,
    policy: { baseUrl, apiKey: h.mock.seed.apiKey({ tenant: tenantId }).key },
    revocations: false,
    tenantId,
    autoRefresh: false,
    allowInsecureHttp: true,
    now: () => h.clock.now(),
  });
  await verifier.ready();
  const request = new Request('https://app.example/dashboard', { headers: cookie ? { cookie } : {} });
  const session = await sessionFromRequest(verifier, request, { actions: ['tenants.read', 'groups.create'] });
  verifier.close();
  // Across the wire to the browser as JSON, as a framework serializes props.
  return JSON.parse(JSON.stringify(session)) as InitialSession;
}

describe('initialSession from the server', () => {
  it('signed in: the server renders the page decided, the browser hydrates it without a loading state', async () => {
    const { tenant, email } = h.seedCustomer();
    const storage = h.memoryStorage();
    const storageKey = h.key();
    // The browser signed in earlier; its SDK mirrored the access token into the page cookie.
    const tab = h.client({ storage, storageKey });
    await tab.requestOtp(email, { tenantCode: tenant.code });
    await tab.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
    const token = await tab.getAccessToken();
    const initial = await serverSession(tenant.id, `enforcer-access-token=${encodeURIComponent(token!)}`);
    expect(initial).toMatchObject({
      status: 'signed_in',
      decisions: { 'tenants.read': true, 'groups.create': false },
    });

    const options = { baseUrl: h.mock.baseUrl, storage, storageKey, autoRefresh: false };
    const tree = (
      <EnforcerProvider options={options} initialSession={initial}>
        <Page />
      </EnforcerProvider>
    );
    const html = renderToString(tree);
    expect(html).toContain('status:<!-- -->signed_in');
    expect(html).toContain('dashboard');
    expect(html).toContain('no groups admin');
    expect(html).not.toContain('skeleton');
    expect(html).not.toContain('deciding');

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const errors: unknown[] = [];
    const consoleError = vi.spyOn(console, 'error').mockImplementation((...args) => errors.push(args));
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(container, tree, { onRecoverableError: (error) => errors.push(error) });
    });
    // The client restores its own session and loads its permissions: the page never changed meanwhile.
    await act(async () => {
      await vi.waitFor(() => expect(h.mock.count('auth.permissions')).toBeGreaterThan(0));
    });
    expect(screen.getByText('dashboard')).toBeDefined();
    expect(screen.getByText('no groups admin')).toBeDefined();
    expect(screen.queryByText('skeleton')).toBeNull();
    expect(screen.queryByText('deciding')).toBeNull();
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set(['signed_in/allowed']));
    consoleError.mockRestore();
    expect(errors).toEqual([]);
    act(() => root!.unmount());
  });

  it('signed out: the server renders the sign-in form, not a skeleton', async () => {
    const initial = await serverSession(h.mock.seed.tenant({ name: 'Nobody Bank' }).id, undefined);
    expect(initial).toEqual({ status: 'signed_out' });
    const html = renderToString(
      <EnforcerProvider options={{ baseUrl: h.mock.baseUrl, autoRefresh: false }} initialSession={initial}>
        <Page />
      </EnforcerProvider>,
    );
    expect(html).toContain('sign-in form');
    expect(html).not.toContain('skeleton');
    expect(seen).toEqual(['signed_out/denied']);
  });

  it('without initialSession the server still renders the loading state (unchanged)', () => {
    const html = renderToString(
      <EnforcerProvider options={{ baseUrl: h.mock.baseUrl }}>
        <Page />
      </EnforcerProvider>,
    );
    expect(html).toContain('skeleton');
    expect(seen).toEqual(['loading/loading']);
  });
});
