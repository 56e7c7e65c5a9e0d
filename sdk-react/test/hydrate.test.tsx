// @vitest-environment jsdom
// Hydration: the server rendered the loading state; the browser, whose storage holds a session,
// hydrates without a mismatch and then renders the signed-in page.
import { act, screen, waitFor } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Can, EnforcerProvider, SessionLoading, SignedIn, SignedOut, useSession } from '../src/index';
import { setupMockEnforcer } from './harness';

const h = setupMockEnforcer();

function Page() {
  const session = useSession();
  return (
    <main>
      <p>session:{session.status}</p>
      <SessionLoading>
        <p>skeleton</p>
      </SessionLoading>
      <SignedOut>
        <p>sign-in form</p>
      </SignedOut>
      <SignedIn>
        <p>{session.status === 'signed_in' ? session.account.email : ''}</p>
      </SignedIn>
      <Can action="transfers.create" fallback={<p>locked</p>}>
        <p>transfer</p>
      </Can>
    </main>
  );
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('hydration', () => {
  it.each([
    ['a client', 'client'],
    ['options', 'options'],
  ] as const)('with %s: no mismatch, then the browser state', async (_name, kind) => {
    const { tenant, email } = h.seedCustomer();
    const storage = h.memoryStorage();
    const storageKey = h.key();
    const tab = h.client({ storage, storageKey });
    await tab.requestOtp(email, { tenantCode: tenant.code });
    await tab.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });

    const options = { baseUrl: h.mock.baseUrl, storage, storageKey, autoRefresh: false };
    const tree = (mode: 'server' | 'browser') =>
      kind === 'options' ? (
        <EnforcerProvider options={options}>
          <Page />
        </EnforcerProvider>
      ) : (
        <EnforcerProvider client={mode === 'server' ? h.client({ broadcast: null }) : h.client(options)}>
          <Page />
        </EnforcerProvider>
      );

    const container = document.createElement('div');
    container.innerHTML = renderToString(tree('server'));
    document.body.append(container);
    expect(container.textContent).toContain('skeleton');

    const errors: unknown[] = [];
    const consoleError = vi.spyOn(console, 'error').mockImplementation((...args) => errors.push(args));
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(container, tree('browser'), {
        onRecoverableError: (error) => errors.push(error),
      });
    });
    expect(await screen.findByText(email)).toBeDefined();
    await waitFor(() => expect(screen.getByText('locked')).toBeDefined());
    expect(screen.queryByText('skeleton')).toBeNull();
    expect(screen.getByText('session:signed_in')).toBeDefined();
    consoleError.mockRestore();
    expect(errors).toEqual([]);
    act(() => root!.unmount());
  });
});
