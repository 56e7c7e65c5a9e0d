import type { TokenResponse } from '@enforcer/contract';
import type { ClientResponse } from '../client/create-client';
import type { Clock } from '../shared/clock';
import { EnforcerError, errorFromResponse } from '../shared/errors';
import type { StorageAdapter } from '../storage/storage';
import type { ChannelLike } from '../sync/channel';
import { type LockManagerLike, withLock } from '../sync/locks';
import { newer, parseStoredSession, type StoredSession, toStoredSession } from './stored-session';

/** Why the session changed: what listeners and the permissions loader react to. */
export type SessionChange = 'load' | 'sign_in' | 'switch' | 'refresh' | 'adopt' | 'sign_out';

export interface SessionManagerOptions {
  storage: StorageAdapter;
  storageKey: string;
  clock: Clock;
  locks: LockManagerLike | null;
  channel: ChannelLike | null;
  /** How long to wait for another tab's refresh lock before going ahead without it. */
  lockTimeoutMs: number;
  /** Refresh this long before the access token expires. */
  refreshAheadMs: number;
  /** A token with less than this left is not sent: it is refreshed first. */
  expiryMarginMs: number;
  autoRefresh: boolean;
  /** `POST /auth/refresh` (no bearer); without a token, the browser's refresh cookie is the credential. */
  refreshCall: (refreshToken: string | undefined) => Promise<ClientResponse>;
  /** `POST /auth/logout` with a refresh token or the cookie (no bearer); best effort. */
  logoutCall: (refreshToken: string | undefined) => Promise<unknown>;
  /**
   * The cookie mode: with nothing stored, loading asks `POST /auth/refresh` once (the browser sends the
   * HttpOnly cookie), so a reload stays signed in although no script could keep the refresh token.
   */
  restoreFromCookie?: boolean;
  onChange: (session: StoredSession | null, change: SessionChange) => void;
}

/** Messages between the tabs of one origin (BroadcastChannel). */
type TabMessage =
  | { kind: 'enforcer'; from: string; t: 'tokens'; sid: string; prev?: string; session: StoredSession }
  | { kind: 'enforcer'; from: string; t: 'refreshing'; sid: string }
  | { kind: 'enforcer'; from: string; t: 'signed_out'; sid: string; person: string; everywhere: boolean };

type Outgoing = TabMessage extends infer M
  ? M extends TabMessage
    ? Omit<M, 'kind' | 'from'>
    : never
  : never;

/** Answers of `POST /auth/refresh` after which the session is over. */
const SESSION_OVER = new Set(['refresh_token_invalid', 'refresh_token_reused', 'account_inactive']);

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as Promise<T> | undefined)?.then === 'function';

/**
 * Keeps the token pair: loads and stores it, refreshes it ahead of expiry and on demand,
 * and keeps the tabs of one origin on one session.
 *
 * Refresh rules (the server revokes a whole session when a spent refresh token is
 * presented again, so a tab must only ever present the newest one it can know of):
 * - Inside a tab, one refresh at a time: callers that need one while it runs wait for it.
 * - Across tabs, the refresh runs under the Web Lock `<storageKey>:refresh:<sid>`. Holding
 *   it, a tab first re-reads storage and its latest broadcast copy: if another tab already
 *   rotated, it adopts that pair instead of refreshing. The winner stores the new pair and
 *   broadcasts it before releasing the lock.
 * - A lock not granted within `lockTimeoutMs` (its holder froze or died mid-request) is
 *   given up on: the tab re-reads and refreshes without it. The server's grace window makes
 *   two refreshes of the same token safe; it is the backstop, not the plan.
 * - Without Web Locks, a tab announces its refresh on the channel and peers wait (bounded)
 *   for its tokens instead of refreshing themselves.
 * - A refresh the server refuses (`refresh_token_invalid`, `refresh_token_reused`,
 *   `account_inactive`) signs out, unless storage shows another tab rotated meanwhile.
 *   Network errors never sign out.
 */
export class SessionManager {
  readonly #o: SessionManagerOptions;
  readonly #id = Math.random().toString(36).slice(2);
  #session: StoredSession | null = null;
  #loaded: Promise<void>;
  #isLoaded = false;
  #refreshing: Promise<StoredSession | null> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Sessions a peer tab said it is refreshing (sid → until, local ms). */
  readonly #peerRefreshing = new Map<string, number>();
  #peerWaiters: (() => void)[] = [];
  readonly #unsubscribe: (() => void) | undefined;
  readonly #unsubscribeClock: (() => void) | undefined;
  #destroyed = false;

  constructor(options: SessionManagerOptions) {
    this.#o = options;
    options.channel?.addEventListener('message', (event) => void this.#onMessage(event.data));
    this.#unsubscribe = options.storage.subscribe?.(options.storageKey, () => void this.#onStorageChange());
    this.#unsubscribeClock = options.clock.onChange?.(() => this.#onClockMoved());
    let first: string | null | Promise<string | null>;
    try {
      first = options.storage.get(options.storageKey);
    } catch {
      first = null;
    }
    if (options.restoreFromCookie) {
      this.#loaded = Promise.resolve(first)
        .catch(() => null)
        .then(async (text) => {
          const stored = parseStoredSession(text) ?? (await this.#restore());
          this.#isLoaded = true;
          this.#adopt(stored, 'load', true);
        });
    } else if (isPromise(first)) {
      this.#loaded = first
        .catch(() => null)
        .then((text) => {
          this.#isLoaded = true;
          this.#adopt(parseStoredSession(text), 'load', true);
        });
    } else {
      this.#isLoaded = true;
      this.#session = parseStoredSession(first);
      this.#schedule();
      this.#loaded = Promise.resolve();
    }
  }

  get loaded(): boolean {
    return this.#isLoaded;
  }

  /** Resolves once the stored session (if any) has been read. */
  ready(): Promise<void> {
    return this.#loaded;
  }

  current(): StoredSession | null {
    return this.#session;
  }

  /** A session whose access token is good to send now (refreshed first if needed), or null. */
  async valid(): Promise<StoredSession | null> {
    await this.#loaded;
    const session = this.#session;
    if (!session) return null;
    if (this.#fresh(session, this.#o.expiryMarginMs)) return session;
    return this.refresh();
  }

  /**
   * Refreshes the token pair (one refresh at a time per tab; see the class comment).
   * `rejected` is an access token the server refused: a copy with another token is used
   * as is. `minValidityMs`: a token with at least this long left is kept.
   */
  refresh(rejected?: string, minValidityMs = this.#o.expiryMarginMs): Promise<StoredSession | null> {
    if (!this.#refreshing) {
      this.#refreshing = this.#runRefresh(rejected, minValidityMs).finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  /** A new sign-in (login, or a switch replacing `replaces`): stored, adopted, told to the other tabs. */
  async signIn(response: TokenResponse, replaces?: StoredSession | null): Promise<StoredSession> {
    // A sign-in during loading (the cookie mode's restore) comes after it, never overwritten by it.
    await this.#loaded;
    const stored = await this.#latest().catch(() => null);
    const seq = Math.max(stored?.seq ?? 0, this.#session?.seq ?? 0) + 1;
    const next = toStoredSession(response, this.#o.clock.now(), seq);
    await this.#write(next);
    this.#adopt(next, replaces ? 'switch' : 'sign_in');
    this.#post({ t: 'tokens', sid: next.sid, ...(replaces ? { prev: replaces.sid } : {}), session: next });
    return next;
  }

  /**
   * Ends the session in this tab: forgets it, removes it from storage and (unless told by
   * another tab) tells the other tabs, which sign out too.
   */
  async signOut(options: { broadcast: boolean; everywhere?: boolean }): Promise<void> {
    await this.#loaded;
    const previous = this.#session;
    if (!previous) return;
    this.#adopt(null, 'sign_out');
    await this.#remove();
    if (options.broadcast) {
      this.#post({
        t: 'signed_out',
        sid: previous.sid,
        person: previous.person.id,
        everywhere: options.everywhere ?? false,
      });
    }
  }

  destroy(): void {
    this.#destroyed = true;
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
    this.#unsubscribeClock?.();
    this.#o.channel?.close();
    for (const wake of this.#peerWaiters) wake();
  }

  // -------------------------------------------------------------------------------------------

  /** The cookie mode's start: a session from the refresh cookie, or null (none, refused, unreachable). */
  async #restore(): Promise<StoredSession | null> {
    try {
      const response = await this.#o.refreshCall(undefined);
      if (response.status !== 200) return null;
      const next = toStoredSession(response.body as TokenResponse, this.#o.clock.now(), 1);
      await this.#write(next);
      return next;
    } catch {
      return null;
    }
  }

  #fresh(session: StoredSession, marginMs: number): boolean {
    return session.expires - marginMs > this.#o.clock.now();
  }

  async #runRefresh(rejected: string | undefined, minValidityMs: number): Promise<StoredSession | null> {
    await this.#loaded;
    const start = this.#session;
    if (!start) return null;
    if (!this.#o.locks) await this.#waitForPeer(start.sid);
    const name = `${this.#o.storageKey}:refresh:${start.sid}`;
    return withLock(this.#o.locks, name, this.#o.lockTimeoutMs, async (locked) => {
      // Another tab (or a broadcast) may have rotated the pair already: use the newest copy.
      let base = await this.#latest();
      if (!base) {
        this.#adopt(null, 'sign_out');
        return null;
      }
      if (base !== this.#session) this.#adopt(base, 'adopt');
      if (base.token !== rejected && this.#fresh(base, minValidityMs)) return base;

      if (!locked) this.#post({ t: 'refreshing', sid: base.sid });
      let response: ClientResponse;
      try {
        response = await this.#o.refreshCall(base.refresh_token);
      } catch (error) {
        throw error instanceof EnforcerError
          ? error
          : new EnforcerError('network_error', 'The token refresh did not reach Enforcer', { cause: error });
      }
      if (response.status === 200) {
        const next = toStoredSession(response.body as TokenResponse, this.#o.clock.now(), base.seq + 1);
        await this.#write(next);
        this.#adopt(next, 'refresh');
        this.#post({ t: 'tokens', sid: next.sid, session: next });
        // Let the message reach the other tabs before the lock is released.
        await new Promise((resolve) => setTimeout(resolve, 0));
        return next;
      }
      const error = errorFromResponse(response);
      if (!SESSION_OVER.has(error.code)) throw error;
      // Refused: unless another tab rotated meanwhile (outside the lock), the session is over.
      base = await this.#latest();
      if (
        base &&
        (base.token !== this.#session?.token || base.refresh_token !== this.#session?.refresh_token)
      ) {
        this.#adopt(base, 'adopt');
        return base;
      }
      await this.signOut({ broadcast: true });
      return null;
    });
  }

  /** The newest copy of the session: storage (shared by tabs) or memory (updated by broadcasts). */
  async #latest(): Promise<StoredSession | null> {
    let stored: StoredSession | null;
    try {
      stored = parseStoredSession(await this.#o.storage.get(this.#o.storageKey));
    } catch {
      return this.#session;
    }
    if (!stored) return null; // signed out (in another tab, when storage is shared)
    return newer(stored, this.#session);
  }

  #adopt(next: StoredSession | null, change: SessionChange, force = false): void {
    const previous = this.#session;
    if (!force && previous === next) return;
    if (
      !force &&
      previous &&
      next &&
      previous.token === next.token &&
      previous.refresh_token === next.refresh_token
    ) {
      return;
    }
    this.#session = next;
    this.#schedule();
    this.#o.onChange(next, change);
  }

  /** A test clock jumped: past the refresh point, refresh as the timer would have (no jitter). */
  #onClockMoved(): void {
    const session = this.#session;
    if (!session || !this.#o.autoRefresh || this.#destroyed || this.#refreshing) return;
    if (this.#o.clock.now() < session.expires - this.#o.refreshAheadMs) return;
    this.#backgroundRefresh();
  }

  #backgroundRefresh(): void {
    this.refresh(undefined, this.#o.refreshAheadMs).catch(() => {
      // A failed background refresh is retried on the next call that needs the token.
    });
  }

  /** Ahead-of-expiry refresh: a timer per tab, jittered so tabs do not all wake at once. */
  #schedule(): void {
    clearTimeout(this.#timer);
    const session = this.#session;
    if (!session || !this.#o.autoRefresh || this.#destroyed) return;
    const jitter = Math.random() * Math.min(2000, this.#o.refreshAheadMs / 4);
    const delay = Math.max(0, session.expires - this.#o.refreshAheadMs - this.#o.clock.now() + jitter);
    this.#timer = setTimeout(() => this.#backgroundRefresh(), Math.min(delay, 2 ** 31 - 1));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async #write(session: StoredSession): Promise<void> {
    try {
      await this.#o.storage.set(this.#o.storageKey, JSON.stringify(session));
    } catch {
      // Storage full or refused: the session still lives in memory for this tab.
    }
  }

  async #remove(): Promise<void> {
    try {
      await this.#o.storage.remove(this.#o.storageKey);
    } catch {
      // ignore: nothing more to do
    }
  }

  #post(message: Outgoing): void {
    try {
      this.#o.channel?.postMessage({ kind: 'enforcer', from: this.#id, ...message });
    } catch {
      // a closed channel: nobody to tell
    }
  }

  /** Without Web Locks: wait (bounded) while a peer tab refreshes this session. */
  async #waitForPeer(sid: string): Promise<void> {
    const until = this.#peerRefreshing.get(sid) ?? 0;
    const wait = until - this.#o.clock.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(wait, this.#o.lockTimeoutMs));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#peerWaiters.push(done);
    });
  }

  async #onMessage(data: unknown): Promise<void> {
    const message = data as TabMessage | undefined;
    if (this.#destroyed || message?.kind !== 'enforcer' || message.from === this.#id) return;
    await this.#loaded;
    const mine = this.#session;
    if (message.t === 'refreshing') {
      this.#peerRefreshing.set(message.sid, this.#o.clock.now() + this.#o.lockTimeoutMs);
      return;
    }
    if (message.t === 'tokens') {
      this.#peerRefreshing.delete(message.sid);
      const waiters = this.#peerWaiters;
      this.#peerWaiters = [];
      for (const wake of waiters) wake();
      if (!mine || (message.sid !== mine.sid && message.prev !== mine.sid)) return;
      if (newer(mine, message.session) !== message.session) return;
      // Keep our storage in step (it may be per tab); never overwrite a newer copy.
      const stored = parseStoredSession(await Promise.resolve(this.#o.storage.get(this.#o.storageKey)));
      if (newer(stored, message.session) === message.session) await this.#write(message.session);
      this.#adopt(
        message.session,
        message.prev === mine.sid && message.sid !== mine.sid ? 'switch' : 'adopt',
      );
      return;
    }
    // signed_out: the same session, or another session of the same person in this browser.
    if (!mine || (message.sid !== mine.sid && message.person !== mine.person.id)) return;
    // In the cookie mode there is no token of this tab's own to end: the browser's one cookie is the
    // session the other tab just ended (or a newer one, which must not be ended from here).
    if (message.sid !== mine.sid && !message.everywhere && mine.refresh_token !== undefined) {
      this.#o.logoutCall(mine.refresh_token).catch(() => {});
    }
    await this.signOut({ broadcast: false });
  }

  async #onStorageChange(): Promise<void> {
    if (this.#destroyed) return;
    let stored: StoredSession | null;
    try {
      stored = parseStoredSession(await this.#o.storage.get(this.#o.storageKey));
    } catch {
      return;
    }
    const mine = this.#session;
    if (!stored) {
      if (mine) this.#adopt(null, 'sign_out');
      return;
    }
    if (newer(mine, stored) === stored && stored !== mine) {
      this.#adopt(stored, mine && stored.sid !== mine.sid ? 'switch' : mine ? 'adopt' : 'sign_in');
    }
  }
}
