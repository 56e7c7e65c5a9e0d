// @vitest-environment jsdom
// The React page against the mock, as a user drives it: sign in with an emailed code, see the
// transfer button locked, pass KYC, see it unlocked.

import { EnforcerProvider } from '@enforcer/react';
import { createEnforcer } from '@enforcer/sdk-js';
import { createEnforcerMock } from '@enforcer/sdk-js/msw';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { TransferPage } from '../src/TransferPage.js';

const mock = createEnforcerMock();
const server = setupServer(...mock.handlers);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  cleanup();
  mock.reset();
});
afterAll(() => server.close());

function renderPage(tenantCode: string) {
  const enforcer = createEnforcer({ baseUrl: mock.baseUrl, tenantCode });
  render(
    <EnforcerProvider client={enforcer}>
      <TransferPage />
    </EnforcerProvider>,
  );
  return enforcer;
}

async function signInThroughTheForm(email: string) {
  fireEvent.change(await screen.findByLabelText('Email'), { target: { value: email } });
  fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
  const code = await screen.findByLabelText('Code');
  fireEvent.change(code, { target: { value: mock.lastOtp(email) } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByText(`Signed in as ${email}`);
}

it('signs in with an emailed code, and unlocks transfers after KYC', async () => {
  const tenant = mock.seed.tenant();
  const alice = mock.seed.account({ tenant: tenant.id, email: 'alice@example.com' });
  const enforcer = renderPage(tenant.code);
  await signInThroughTheForm('alice@example.com');
  expect(await screen.findByText('Verify your identity to send money.')).toBeTruthy();
  expect(screen.queryByRole('button', { name: 'Send money' })).toBeNull();

  mock.seed.addToGroup({ account: alice.id, group: 'verified' }); // what the KYC webhook does
  await act(() => enforcer.reloadPermissions());
  expect(await screen.findByRole('button', { name: 'Send money' })).toBeTruthy();
  enforcer.destroy();
});

it('says so when the code is wrong, and stays signed out', async () => {
  const tenant = mock.seed.tenant();
  mock.seed.account({ tenant: tenant.id, email: 'bob@example.com' });
  const enforcer = renderPage(tenant.code);
  fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'bob@example.com' } });
  fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
  const wrong = mock.lastOtp('bob@example.com') === '000000' ? '111111' : '000000';
  fireEvent.change(await screen.findByLabelText('Code'), { target: { value: wrong } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  expect((await screen.findByRole('alert')).textContent).toMatch(/did not work/);
  expect(enforcer.getSnapshot().status).toBe('signed_out');
  enforcer.destroy();
});

it('a misspelt action does not compile', () => {
  // @ts-expect-error: 'trnasfers.create' is not one of the app's actions (src/actions.ts)
  const check = () => createEnforcer({ baseUrl: mock.baseUrl }).can('trnasfers.create');
  expect(typeof check).toBe('function');
});
