// Server rendering: the default (node) environment, no DOM. renderToString must render the
// loading state, create nothing browser-bound, and never touch window, document or storage.
import { createEnforcer } from '@enforcer/sdk-js';
import { createEnforcerMock } from '@enforcer/sdk-js/msw';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Can,
  EnforcerProvider,
  SessionLoading,
  SignedIn,
  SignedOut,
  useCan,
  useSession,
  useTenants,
} from '../src/index';

const BROWSER_GLOBALS = ['window', 'document', 'localStorage', 'sessionStorage', 'self'] as const;
let touched: string[] = [];
const restore: (() => void)[] = [];

beforeEach(() => {
  touched = [];
  for (const name of BROWSER_GLOBALS) {
    const before = Object.getOwnPropertyDescriptor(globalThis, name);
    expect(before?.value ?? undefined, `${name} exists in the node environment`).toBeUndefined();
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        return undefined;
      },
    });
    restore.push(() => {
      if (before) Object.defineProperty(globalThis, name, before);
      else delete (globalThis as Record<string, unknown>)[name];
    });
  }
});
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
});

function Page() {
  const session = useSession();
  const gate = useCan('transfers.create');
  const tenants = useTenants();
  return (
    <main>
      <p>session:{session.status}</p>
      <p>gate:{gate.status}</p>
      <p>tenants:{tenants.status}</p>
      <SessionLoading>
        <p>skeleton</p>
      </SessionLoading>
      <SignedOut>
        <p>sign-in form</p>
      </SignedOut>
      <SignedIn>
        <p>account menu</p>
      </SignedIn>
      <Can action="transfers.create" loading={<p>gate loading</p>} fallback={<p>locked</p>}>
        <p>transfer</p>
      </Can>
    </main>
  );
}

const expectLoadingPage = (html: string) => {
  expect(html).toContain('session:<!-- -->loading');
  expect(html).toContain('gate:<!-- -->loading');
  expect(html).toContain('tenants:<!-- -->loading');
  expect(html).toContain('skeleton');
  expect(html).toContain('gate loading');
  for (const absent of ['sign-in form', 'account menu', 'locked', '<p>transfer</p>']) {
    expect(html).not.toContain(absent);
  }
};

describe('server rendering', () => {
  it('(the traps see an access)', () => {
    expect((globalThis as { window?: unknown }).window).toBeUndefined();
    expect(touched).toEqual(['window']);
  });

  it('with options: renders the loading state, creates no client, touches no browser global', () => {
    const html = renderToString(
      <EnforcerProvider options={{ baseUrl: 'https://enforcer.example', storage: 'local' }}>
        <Page />
      </EnforcerProvider>,
    );
    expectLoadingPage(html);
    expect(touched).toEqual([]);
  });

  it('with a client, even a signed-in one: the loading state (the browser has the real session)', async () => {
    const mock = createEnforcerMock();
    const tenant = mock.seed.tenant();
    mock.seed.account({ tenant: tenant.id, email: 'ssr@example.com' });
    const tokens = await mock.signIn({ tenant: tenant.id, email: 'ssr@example.com' });
    const stored = JSON.stringify({
      v: 1,
      ...tokens,
      expires: Date.now() + 900_000,
      seq: 1,
      received: Date.now(),
      sid: 's',
    });
    const client = createEnforcer({
      baseUrl: mock.baseUrl,
      storage: { get: () => stored, set: () => {}, remove: () => {} },
      permissions: false,
      autoRefresh: false,
      broadcast: null,
    });
    expect(client.getSnapshot().status).toBe('signed_in');
    const html = renderToString(
      <EnforcerProvider client={client}>
        <Page />
      </EnforcerProvider>,
    );
    expectLoadingPage(html);
    expect(touched).toEqual([]);
    client.destroy();
  });
});
