import { beforeEach, describe, expect, it } from 'vitest';
import { createEnforcer, type Enforcer, memoryStorage } from '../src/index';
import { signedIn, until, useMockEnforcer } from './harness';

const h = useMockEnforcer();

let mark = 0;
beforeEach(() => {
  mark = h.mock.requests.length;
});

/** No refresh of this test hit reuse detection (or any other refusal). */
const noRefusedRefresh = () =>
  expect(h.mock.requests.slice(mark).filter((r) => r.route === 'auth.refresh' && r.status !== 200)).toEqual(
    [],
  );

const statusOf = (enforcer: Enforcer) => enforcer.getSnapshot().status;

describe('refresh inside one tab', () => {
  it('20 concurrent calls with an expired token (known to the SDK): one refresh, all succeed', async () => {
    const enforcer = h.sdk({ permissions: false });
    await signedIn(h, enforcer);
    const before = enforcer.getSnapshot();
    h.clock.advance(1000);
    const start = h.mock.count('auth.refresh');
    const results = await Promise.all(Array.from({ length: 20 }, () => enforcer.api.auth.me()));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(h.mock.count('auth.refresh') - start).toBe(1);
    const after = enforcer.getSnapshot();
    expect(after.status).toBe('signed_in');
    expect(after).not.toBe(before);
    noRefusedRefresh();
  });

  it('20 concurrent calls answered 401 token_expired: one refresh, each call retried once', async () => {
    // The SDK's clock stands still: it thinks the token is fresh; the server says it expired.
    const frozen = h.clock.now();
    const sdkClock = { now: () => frozen };
    const enforcer = h.sdk({ permissions: false, clock: sdkClock });
    await signedIn(h, enforcer);
    h.clock.advance(1000);
    const refreshes = h.mock.count('auth.refresh');
    const mes = h.mock.count('auth.me');
    const results = await Promise.all(Array.from({ length: 20 }, () => enforcer.api.auth.me()));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(h.mock.count('auth.refresh') - refreshes).toBe(1);
    expect(h.mock.count('auth.me') - mes).toBe(40); // 20 rejected + 20 retries, none retried twice
    noRefusedRefresh();
  });

  it('refreshes ahead of expiry in the background', async () => {
    // The timer runs on real time: this SDK's clock is the shared one plus the real time elapsed.
    const t0 = Date.now();
    const clock = { now: () => h.clock.now() + (Date.now() - t0) };
    const enforcer = h.sdk({ permissions: false, autoRefresh: true, refreshAheadMs: 899_950, clock });
    await signedIn(h, enforcer);
    const first = enforcer.getSnapshot();
    const start = h.mock.count('auth.refresh');
    // 900 s tokens refreshed 899.95 s ahead: the timer fires after ~50 ms (+ up to 2 s of jitter).
    await until(() => h.mock.count('auth.refresh') > start, 5000);
    await until(() => enforcer.getSnapshot() !== first);
    expect(statusOf(enforcer)).toBe('signed_in');
    noRefusedRefresh();
  });

  it('a refresh the server refuses signs out; a network failure does not', async () => {
    const enforcer = h.sdk({ permissions: false });
    await signedIn(h, enforcer);
    h.clock.advance(1000);
    let offline = false;
    const flaky = h.sdk({
      permissions: false,
      storage: memoryStorage(),
      fetch: (input, init) => (offline ? Promise.reject(new TypeError('offline')) : fetch(input, init)),
    });
    await signedIn(h, flaky);
    h.clock.advance(1000);
    offline = true;
    await expect(flaky.api.auth.me()).rejects.toMatchObject({ code: 'network_error' });
    expect(statusOf(flaky)).toBe('signed_in');
    offline = false;
    expect((await flaky.api.auth.me()).status).toBe(200);

    // The session is revoked elsewhere: the next refresh is refused and the tab signs out.
    const session = enforcer.getSnapshot();
    if (session.status !== 'signed_in') throw new Error('expected a session');
    await fetch(`${h.mock.baseUrl}/api/v1/enforcer/auth/logout`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await enforcer.getAccessToken()}`,
      },
      body: JSON.stringify({}),
    });
    const answer = await enforcer.api.auth.me();
    expect(answer.status).toBe(401);
    expect(statusOf(enforcer)).toBe('signed_out');
  });
});

describe('refresh across tabs (shared storage, BroadcastChannel, Web Locks)', () => {
  for (const count of [2, 3, 5]) {
    it(`${count} tabs hitting expiry at once: exactly one refresh, nobody signed out`, async () => {
      const { tabs } = h.tabs(count);
      await signedIn(h, tabs[0]!);
      await until(() => tabs.every((t) => statusOf(t) === 'signed_in'));
      h.clock.advance(1000);
      const start = h.mock.count('auth.refresh');
      const results = await Promise.all(tabs.flatMap((t) => [t.api.auth.me(), t.api.auth.me()]));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(h.mock.count('auth.refresh') - start).toBe(1);
      expect(tabs.every((t) => statusOf(t) === 'signed_in')).toBe(true);
      const tokens = await Promise.all(tabs.map((t) => t.getAccessToken()));
      expect(new Set(tokens).size).toBe(1);
      noRefusedRefresh();
    });
  }

  it('a tab that dies holding the refresh lock does not block the others beyond the bounded wait', async () => {
    const storage = memoryStorage();
    const storageKey = h.key();
    let release: (() => void) | undefined;
    const stuck = h.sdk({
      permissions: false,
      storage,
      storageKey,
      lockTimeoutMs: 150,
      // This tab's refresh request never gets anywhere (the tab froze mid-refresh, holding the lock).
      fetch: (input, init) =>
        String(input).endsWith('/auth/refresh')
          ? new Promise((_resolve, reject) => {
              release = () => reject(new TypeError('the tab died'));
            })
          : fetch(input, init),
    });
    await signedIn(h, stuck);
    const others = [1, 2].map(() => h.sdk({ permissions: false, storage, storageKey, lockTimeoutMs: 150 }));
    h.clock.advance(1000);
    const hung = stuck.api.auth.me();
    await until(() => release !== undefined);
    const began = Date.now();
    const results = await Promise.all(others.map((t) => t.api.auth.me()));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(Date.now() - began).toBeLessThan(2000);
    expect(others.every((t) => statusOf(t) === 'signed_in')).toBe(true);
    noRefusedRefresh();

    // The frozen tab wakes up: its refresh failed (network), it is still signed in and adopts the new pair.
    release!();
    await expect(hung).rejects.toMatchObject({ code: 'network_error' });
    const refreshes = h.mock.count('auth.refresh');
    expect((await stuck.api.auth.me()).status).toBe(200);
    expect(h.mock.count('auth.refresh')).toBe(refreshes);
    noRefusedRefresh();
  });

  it('without Web Locks (BroadcastChannel only) tabs still never trip reuse detection', async () => {
    const { tabs } = h.tabs(3, { locks: null });
    await signedIn(h, tabs[0]!);
    for (let round = 0; round < 3; round++) {
      h.clock.advance(1000);
      const results = await Promise.all(tabs.map((t) => t.api.auth.me()));
      expect(results.every((r) => r.status === 200)).toBe(true);
    }
    expect(tabs.every((t) => statusOf(t) === 'signed_in')).toBe(true);
    noRefusedRefresh();
  });

  it('with neither Web Locks nor BroadcastChannel, a tab re-reads storage and adopts instead of replaying', async () => {
    // A storage that does not notify (no `storage` event) and no channel: b only learns by re-reading.
    const shared = memoryStorage();
    const quiet = { get: shared.get, set: shared.set, remove: shared.remove };
    const storageKey = h.key();
    const options = { permissions: false, locks: null, broadcast: null, storage: quiet, storageKey };
    const a = h.sdk(options);
    await signedIn(h, a);
    const b = h.sdk(options); // reads RT1 from storage
    h.clock.advance(1000);
    expect((await a.api.auth.me()).status).toBe(200); // a rotates RT1 → RT2
    h.clock.advance(1000);
    expect((await a.api.auth.me()).status).toBe(200); // a rotates RT2 → RT3
    const refreshes = h.mock.count('auth.refresh');
    expect((await b.api.auth.me()).status).toBe(200); // b still holds RT1 in memory: it must not present it
    expect(h.mock.count('auth.refresh')).toBe(refreshes);
    expect(await b.getAccessToken()).toBe(await a.getAccessToken());
    noRefusedRefresh();
  });

  it('signing out in one tab signs out the others', async () => {
    const { tabs } = h.tabs(3);
    await signedIn(h, tabs[0]!);
    await until(() => tabs.every((t) => statusOf(t) === 'signed_in'));
    await tabs[1]!.logout();
    await until(() => tabs.every((t) => statusOf(t) === 'signed_out'));
  });

  it('tabs with their own sessions (per-tab storage) sign out too, and end their own session', async () => {
    const a = h.sdk({ permissions: false, storage: memoryStorage(), storageKey: 'shared.key.1' });
    const b = h.sdk({ permissions: false, storage: memoryStorage(), storageKey: 'shared.key.1' });
    const { email, tenantCode } = await signedIn(h, a);
    await signedIn(h, b, email, tenantCode);
    const bToken = await b.getAccessToken();
    await a.logout();
    await until(() => statusOf(b) === 'signed_out');
    await until(() => h.mock.requests.filter((r) => r.route === 'auth.logout').length >= 2);
    const me = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/auth/me`, {
      headers: { authorization: `Bearer ${bToken}` },
    });
    expect(me.status).toBe(401);
  });

  it('other tabs follow a tenant switch (documented behaviour)', async () => {
    const { tabs } = h.tabs(2, { permissions: true });
    const [a, b] = tabs as [Enforcer, Enforcer];
    const { email } = await signedIn(h, a);
    const second = h.mock.seed.tenant({ name: 'Second' });
    h.mock.seed.account({ tenant: second.id, email });
    await until(() => statusOf(b) === 'signed_in');
    const seen: string[] = [];
    b.subscribe(() => {
      const s = b.getSnapshot();
      if (s.status === 'signed_in') seen.push(s.tenant.id);
    });
    await a.tenants.switch(second.id);
    await until(() => {
      const s = b.getSnapshot();
      return s.status === 'signed_in' && s.tenant.id === second.id && s.permissions.status === 'ready';
    });
    expect(seen).toContain(second.id);
    expect(b.can('tenants.read')).toBe(true);
    // The previous session was ended; both tabs carry on with the new one.
    h.clock.advance(1000);
    expect((await b.api.auth.me()).status).toBe(200);
    expect((await a.api.auth.me()).status).toBe(200);
    noRefusedRefresh();
  });
});

describe('SSR safety', () => {
  it('creating an SDK touches no window and needs no storage', () => {
    expect('window' in globalThis).toBe(false);
    const enforcer = createEnforcer({
      baseUrl: 'http://enforcer.test',
      storage: 'local',
      locks: null,
      broadcast: null,
    });
    expect(enforcer.getSnapshot()).toEqual({ status: 'signed_out' });
    enforcer.destroy();
  });
});
