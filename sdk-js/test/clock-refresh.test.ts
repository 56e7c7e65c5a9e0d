import { describe, expect, it } from 'vitest';
import { signedIn, until, useMockEnforcer } from './harness';

const h = useMockEnforcer();

describe("the mock's manual clock drives the background refresh", () => {
  it('advancing past the refresh point refreshes at once; before it, nothing', async () => {
    // 900 s access tokens, refreshed 60 s ahead (the defaults): the refresh point is 840 s on.
    const enforcer = h.sdk({ permissions: false, autoRefresh: true });
    await signedIn(h, enforcer);
    const start = h.mock.count('auth.refresh');
    const first = enforcer.getSnapshot();
    if (first.status !== 'signed_in') throw new Error('expected signed_in');

    h.clock.advance(839);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.mock.count('auth.refresh')).toBe(start);

    h.clock.advance(2);
    await until(() => enforcer.getSnapshot() !== first);
    expect(h.mock.count('auth.refresh')).toBe(start + 1);
    const next = enforcer.getSnapshot();
    if (next.status !== 'signed_in') throw new Error('expected signed_in');
    expect(next.expiresAt).toBe(h.clock.now() + 900_000);
    expect(next.sessionId).toBe(first.sessionId);
  });

  it('without autoRefresh, or once destroyed, moving the clock refreshes nothing', async () => {
    const manual = h.sdk({ permissions: false, autoRefresh: false });
    await signedIn(h, manual);
    const destroyed = h.sdk({ permissions: false, autoRefresh: true });
    await signedIn(h, destroyed);
    destroyed.destroy();
    const start = h.mock.count('auth.refresh');
    h.clock.advance(899);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.mock.count('auth.refresh')).toBe(start);
  });
});
