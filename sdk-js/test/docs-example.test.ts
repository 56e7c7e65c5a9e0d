// app.test.ts
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEnforcer } from '../src/index';
import { createEnforcerMock, manualClock } from '../src/msw/index';

const clock = manualClock();
const mock = createEnforcerMock({ baseUrl: 'https://enforcer.test', clock });
const server = setupServer(...mock.handlers);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

it('unlocks transfers once KYC passed', async () => {
  const tenant = mock.seed.tenant({ name: 'Acme Pay', code: 'ACME-PAY0-TEST' });
  const alice = mock.seed.account({ tenant: tenant.id, email: 'alice@example.com' });

  const enforcer = createEnforcer({ baseUrl: mock.baseUrl, tenantCode: tenant.code, clock });
  await enforcer.requestOtp('alice@example.com');
  await enforcer.signInWithOtp({ email: 'alice@example.com', otp: mock.lastOtp('alice@example.com')! });
  await enforcer.reloadPermissions();
  expect(enforcer.can('transfers.create')).toBe(false);

  mock.seed.addToGroup({ account: alice.id, group: 'verified' }); // what your KYC webhook does
  await enforcer.reloadPermissions();
  expect(enforcer.can('transfers.create')).toBe(true);

  clock.advance(901); // the access token expires: the next call refreshes first
  expect((await enforcer.api.auth.me()).status).toBe(200);
  expect(mock.count('auth.refresh')).toBe(1);
  enforcer.destroy();
});
