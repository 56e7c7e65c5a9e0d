import type { ActiveSession } from '@enforcer/contract';
import { type Enforcer, EnforcerError, type SessionSnapshot } from '@enforcer/sdk-js';

/**
 * The signed-in person's live sessions (`GET /auth/sessions`, every tenant). `sessions` keeps the
 * previous list while a new one loads (after ending one), so a list does not blink.
 */
export interface SessionsState {
  status: 'loading' | 'ready' | 'error';
  sessions: readonly ActiveSession[];
  error: EnforcerError | undefined;
}

const empty: readonly ActiveSession[] = Object.freeze([]);
export const loadingSessions: SessionsState = Object.freeze({
  status: 'loading',
  sessions: empty,
  error: undefined,
});
const signedOutSessions: SessionsState = Object.freeze({
  status: 'ready',
  sessions: empty,
  error: undefined,
});

/** The list depends on which session is asking (`current` marks it): a new session is a new list. */
const keyOf = (snapshot: SessionSnapshot): string =>
  snapshot.status === 'signed_in' ? `session:${snapshot.sessionId}` : snapshot.status;

/**
 * One list per client, shared by every `useSessions()`: fetched when the first component subscribes and
 * again whenever the session changes, or after this client ends sessions; never during render.
 */
export class SessionsStore {
  readonly #client: Enforcer;
  readonly #listeners = new Set<() => void>();
  #unsubscribe: (() => void) | undefined;
  #state: { key: string; value: SessionsState } | undefined;
  #pending: { key: string; value: SessionsState } | undefined;
  #fetching: string | undefined;
  #generation = 0;

  constructor(client: Enforcer) {
    this.#client = client;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (!this.#unsubscribe) {
      this.#unsubscribe = this.#client.subscribe(() => {
        this.#sync();
        this.#notify();
      });
    }
    this.#sync();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
      }
    };
  };

  getSnapshot = (): SessionsState => {
    const key = keyOf(this.#client.getSnapshot());
    if (key === 'loading') return loadingSessions;
    if (key === 'signed_out') return signedOutSessions;
    if (this.#state?.key === key) return this.#state.value;
    if (this.#pending?.key !== key) {
      this.#pending = {
        key,
        value: Object.freeze({ status: 'loading', sessions: empty, error: undefined }),
      };
    }
    return this.#pending.value;
  };

  /** Fetches the list again. */
  reload = async (): Promise<void> => {
    const key = keyOf(this.#client.getSnapshot());
    if (key === 'loading' || key === 'signed_out') return;
    await this.#fetch(key);
  };

  /** Ends one session (this client's own signs it out), then lists again. */
  end = async (sessionId: string): Promise<void> => {
    await this.#client.sessions.end(sessionId);
    await this.reload();
  };

  /** Ends every other session, then lists again: how many ended. */
  endOthers = async (): Promise<number> => {
    const ended = await this.#client.sessions.endOthers();
    await this.reload();
    return ended;
  };

  #sync(): void {
    const key = keyOf(this.#client.getSnapshot());
    if (key === 'loading' || key === 'signed_out') return;
    if (this.#state?.key === key || this.#fetching === key) return;
    void this.#fetch(key);
  }

  async #fetch(key: string): Promise<void> {
    const generation = ++this.#generation;
    this.#fetching = key;
    let value: SessionsState;
    try {
      const sessions = await this.#client.sessions.list();
      value = Object.freeze({ status: 'ready', sessions, error: undefined });
    } catch (error) {
      value = Object.freeze({
        status: 'error',
        sessions: this.#state?.key === key ? this.#state.value.sessions : empty,
        error:
          error instanceof EnforcerError
            ? error
            : new EnforcerError('invalid_response', 'The sessions could not be loaded', { cause: error }),
      });
    }
    if (generation !== this.#generation) return;
    this.#fetching = undefined;
    // A list for a session that is no longer current is dropped; the current one is fetched.
    if (keyOf(this.#client.getSnapshot()) !== key) {
      this.#sync();
      return;
    }
    this.#state = { key, value };
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

const stores = new WeakMap<Enforcer, SessionsStore>();

export function sessionsStoreOf(client: Enforcer): SessionsStore {
  let store = stores.get(client);
  if (!store) {
    store = new SessionsStore(client);
    stores.set(client, store);
  }
  return store;
}
