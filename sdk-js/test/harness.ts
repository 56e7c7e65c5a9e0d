import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  createEnforcer,
  type Enforcer,
  type EnforcerOptions,
  memoryStorage,
  type StorageAdapter,
} from '../src/index';
import { createEnforcerMock, type EnforcerMock, type ManualClock, manualClock } from '../src/msw/index';

/**
 * One mock Enforcer behind MSW for a test file, a clock shared by the mock and the SDKs,
 * and "tabs": SDK instances sharing one storage (like localStorage), the real
 * BroadcastChannel and the real Web Locks of Node 24.
 */
export function useMockEnforcer() {
  const clock = manualClock();
  const mock = createEnforcerMock({ clock });
  const server = setupServer(...mock.handlers);
  const created: Enforcer[] = [];
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => {
    for (const enforcer of created.splice(0)) enforcer.destroy();
  });
  afterAll(() => server.close());

  let n = 0;
  const key = () => `enforcer.test.${++n}.${Math.random().toString(36).slice(2)}`;
  const sdk = (options: Partial<EnforcerOptions> = {}): Enforcer => {
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
  return {
    clock,
    mock,
    server,
    /** A fresh storage key, so tests never share locks or channels. */
    key,
    sdk,
    /** `count` tabs on one shared storage and channel. */
    tabs(
      count: number,
      options: Partial<EnforcerOptions> = {},
    ): { tabs: Enforcer[]; storage: StorageAdapter } {
      const storage =
        options.storage && typeof options.storage === 'object' ? options.storage : memoryStorage();
      const storageKey = options.storageKey ?? key();
      const tabs = Array.from({ length: count }, () =>
        sdk({ permissions: false, ...options, storage, storageKey }),
      );
      return { tabs, storage };
    },
  };
}

export type MockHarness = ReturnType<typeof useMockEnforcer>;

/** A tenant with an account for `email`, signed in on `enforcer`. */
export async function signedIn(
  h: { mock: EnforcerMock },
  enforcer: Enforcer,
  email = `user-${Math.random().toString(36).slice(2)}@example.com`,
  tenantCode?: string,
) {
  const code = tenantCode ?? h.mock.seed.tenant({ name: 'Acme Pay' }).code;
  const otp = await enforcer.requestOtp(email, { tenantCode: code });
  await enforcer.signInWithOtp({ email, otp: otp.code!, tenantCode: code });
  return { email, tenantCode: code };
}

/** Waits until `check` holds (cross-tab messages arrive asynchronously). */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export type { ManualClock };
