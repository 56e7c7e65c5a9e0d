// tokenStorage: 'cookie' (#18): the refresh token lives in the HttpOnly cookie the server sets, never in JS
// storage; the mock plays the server's part through the core's rules and the browser's cookie jar.
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/index';
import { signedIn, useMockEnforcer } from './harness';

const h = useMockEnforcer();
const refreshUrl = () => `${h.mock.baseUrl}/api/v1/enforcer/auth/refresh`;

/** A fetch that records what the SDK asked for (headers and credentials) before sending it. */
function recordingFetch() {
  const calls: {
    url: string;
    headers: Record<string, string>;
    credentials: RequestCredentials | undefined;
  }[] = [];
  const doFetch: typeof fetch = (input, init) => {
    calls.push({
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
      credentials: init?.credentials,
    });
    return globalThis.fetch(input, init);
  };
  return { calls, fetch: doFetch };
}

describe("tokenStorage: 'cookie'", () => {
  it('keeps no refresh token in storage, and sends the header and credentials on every call', async () => {
    const storage = memoryStorage();
    const recorder = recordingFetch();
    const enforcer = h.sdk({ tokenStorage: 'cookie', storage, fetch: recorder.fetch });
    await enforcer.ready();
    const { email } = await signedIn(h, enforcer);
    const snapshot = enforcer.getSnapshot();
    expect(snapshot.status).toBe('signed_in');
    const login = recorder.calls.find((c) => c.url.endsWith('/auth/login'))!;
    expect(login.headers['enforcer-refresh-cookie']).toBe('1');
    expect(login.credentials).toBe('include');
    expect(recorder.calls.every((c) => c.credentials === 'include')).toBe(true);
    expect(snapshot.status === 'signed_in' && snapshot.person.email).toBe(email);
  });

  it('the stored session has the access token but no refresh token', async () => {
    const storage = memoryStorage();
    const storageKey = h.key();
    const enforcer = h.sdk({ tokenStorage: 'cookie', storage, storageKey });
    await signedIn(h, enforcer);
    const stored = JSON.parse(String(storage.get(storageKey)));
    expect(stored.token).toEqual(expect.any(String));
    expect(stored).not.toHaveProperty('refresh_token');
    expect(JSON.stringify(stored)).not.toMatch(/ert_/);
  });

  it('a reload (a new SDK, nothing stored) is signed in again by the cookie; refresh rotates it', async () => {
    const first = h.sdk({ tokenStorage: 'cookie' });
    await signedIn(h, first);
    const signedInFirst = first.getSnapshot();
    if (signedInFirst.status !== 'signed_in') throw new Error('expected signed in');
    first.destroy();

    const reloaded = h.sdk({ tokenStorage: 'cookie' });
    expect(reloaded.getSnapshot().status).toBe('loading');
    const snapshot = await reloaded.ready();
    expect(snapshot.status).toBe('signed_in');
    expect(snapshot.status === 'signed_in' && snapshot.account.id).toBe(signedInFirst.account.id);
    const before = await reloaded.getAccessToken();
    h.clock.advance(1);
    await reloaded.refresh();
    expect(await reloaded.getAccessToken()).not.toBe(before);
    expect(h.mock.requests.filter((r) => r.route === 'auth.refresh').at(-1)?.status).toBe(200);
    expect(reloaded.getSnapshot().status).toBe('signed_in');
  });

  it('the mock refuses a cookie refresh without the header or from a foreign origin (403 csrf_check_failed)', async () => {
    const enforcer = h.sdk({ tokenStorage: 'cookie' });
    await signedIn(h, enforcer);
    const post = (headers: Record<string, string>) =>
      fetch(refreshUrl(), {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    const noHeader = await post({});
    expect(noHeader.status).toBe(403);
    expect((await noHeader.json()).code).toBe('csrf_check_failed');
    const foreign = await post({ 'enforcer-refresh-cookie': '1', origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).code).toBe('csrf_check_failed');
    // The refusals spent nothing: the SDK still refreshes.
    h.clock.advance(1);
    await enforcer.refresh();
    expect(enforcer.getSnapshot().status).toBe('signed_in');
  });

  it('logout clears the cookie: the next load is signed out', async () => {
    const enforcer = h.sdk({ tokenStorage: 'cookie' });
    await signedIn(h, enforcer);
    await enforcer.logout();
    expect(enforcer.getSnapshot().status).toBe('signed_out');
    const logout = h.mock.requests.filter((r) => r.route === 'auth.logout').at(-1);
    expect(logout?.status).toBe(204);
    const reloaded = h.sdk({ tokenStorage: 'cookie' });
    expect((await reloaded.ready()).status).toBe('signed_out');
  });

  it('the default mode is unchanged: the refresh token is stored, no cookie header is sent', async () => {
    const storage = memoryStorage();
    const storageKey = h.key();
    const recorder = recordingFetch();
    const enforcer = h.sdk({ storage, storageKey, fetch: recorder.fetch });
    await signedIn(h, enforcer);
    expect(JSON.parse(String(storage.get(storageKey))).refresh_token).toEqual(expect.any(String));
    expect(recorder.calls.some((c) => 'enforcer-refresh-cookie' in c.headers)).toBe(false);
  });
});

describe('accessTokenCookie (server rendering)', () => {
  it('mirrors the access token into a page cookie on sign-in and refresh, and removes it on sign-out', async () => {
    const writes: string[] = [];
    const doc = {
      set cookie(value: string) {
        writes.push(value);
      },
      get cookie() {
        return '';
      },
    };
    (globalThis as { document?: unknown }).document = doc;
    try {
      const enforcer = h.sdk({ accessTokenCookie: true });
      await signedIn(h, enforcer);
      const token = await enforcer.getAccessToken();
      const written = writes.at(-1)!;
      expect(written).toContain(`enforcer-access-token=${encodeURIComponent(token!)}`);
      expect(written).toMatch(/; Path=\/; Max-Age=(8[5-9]\d|900); SameSite=Lax$/);
      h.clock.advance(1);
      await enforcer.refresh();
      const refreshed = await enforcer.getAccessToken();
      expect(refreshed).not.toBe(token);
      expect(writes.at(-1)).toContain(encodeURIComponent(refreshed!));
      await enforcer.logout();
      expect(writes.at(-1)).toMatch(/^enforcer-access-token=; Path=\/; Max-Age=0;/);
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
  });

  it('writes nothing without the option', async () => {
    const writes: string[] = [];
    (globalThis as { document?: unknown }).document = {
      set cookie(value: string) {
        writes.push(value);
      },
    };
    try {
      await signedIn(h, h.sdk());
      expect(writes).toEqual([]);
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
  });
});
