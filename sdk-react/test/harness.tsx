// A mock Enforcer behind MSW for a test file, and helpers to render hooks against it.
import { createEnforcer, type Enforcer, type EnforcerOptions, memoryStorage } from '@enforcer/sdk-js';
import { createEnforcerMock, manualClock } from '@enforcer/sdk-js/msw';
import { cleanup } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export function setupMockEnforcer() {
  const clock = manualClock(Date.now());
  const mock = createEnforcerMock({ clock });
  const server = setupServer(...mock.handlers);
  const created: Enforcer[] = [];
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => {
    cleanup();
    for (const enforcer of created.splice(0)) enforcer.destroy();
  });
  afterAll(() => server.close());

  const key = () => `enforcer.react.${Math.random().toString(36).slice(2)}`;
  const client = (options: Partial<EnforcerOptions> = {}): Enforcer => {
    const enforcer = createEnforcer({
      baseUrl: mock.baseUrl,
      clock,
      autoRefresh: false,
      storageKey: key(),
      ...options,
    });
    created.push(enforcer);
    return enforcer;
  };
  /** A tenant (default policy, `verified` group) with one account. */
  const seedCustomer = (email = `user-${Math.random().toString(36).slice(2)}@example.com`) => {
    const tenant = mock.seed.tenant({ name: 'Acme Pay' });
    const account = mock.seed.account({ tenant: tenant.id, email });
    return { tenant, account, email };
  };
  return { clock, mock, server, client, key, seedCustomer, memoryStorage };
}

/** Counts renders of the components that call it. */
export function renderCounter() {
  const counts = new Map<string, number>();
  return {
    hit(name: string) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    },
    get: (name: string) => counts.get(name) ?? 0,
  };
}
