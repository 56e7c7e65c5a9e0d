// @vitest-environment jsdom
// app.test.tsx
import { createEnforcer } from '@enforcer/sdk-js';
import { createEnforcerMock } from '@enforcer/sdk-js/msw';
import { act, cleanup, render, screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { EnforcerProvider, useCan } from '../src/index';

function TransferButton() {
  const { allowed, loading } = useCan('transfers.create');
  if (loading)
    return (
      <button type="button" disabled>
        Checking…
      </button>
    );
  return (
    <button type="button" disabled={!allowed}>
      Transfer
    </button>
  );
}

const mock = createEnforcerMock();
const server = setupServer(...mock.handlers);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(cleanup);
afterAll(() => server.close());

it('unlocks transfers after KYC', async () => {
  const tenant = mock.seed.tenant();
  const alice = mock.seed.account({ tenant: tenant.id, email: 'alice@example.com' });
  const enforcer = createEnforcer({ baseUrl: mock.baseUrl, tenantCode: tenant.code });
  render(
    <EnforcerProvider client={enforcer}>
      <TransferButton />
    </EnforcerProvider>,
  );
  await act(async () => {
    await enforcer.requestOtp('alice@example.com');
    await enforcer.signInWithOtp({ email: 'alice@example.com', otp: mock.lastOtp('alice@example.com')! });
  });
  const button = await screen.findByRole('button', { name: 'Transfer' });
  expect(button.hasAttribute('disabled')).toBe(true);
  mock.seed.addToGroup({ account: alice.id, group: 'verified' });
  await act(() => enforcer.reloadPermissions());
  expect(button.hasAttribute('disabled')).toBe(false);
  enforcer.destroy();
});
