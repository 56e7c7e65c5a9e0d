import { type Enforcer, EnforcerError, type SessionSnapshot } from '@enforcer/sdk-js';

/** A list the signed-in session fetches (its tenants, its sessions), as hooks read it. */
export interface ListState<T> {
  status: 'loading' | 'ready' | 'error';
  items: readonly T[];
  error: EnforcerError | undefined;
}

export interface SessionListOptions<T> {
  /** Which list a session snapshot calls for: a new key is a new list (fetched on its own). */
  keyOf(snapshot: Extract<SessionSnapshot, { status: 'signed_in' }>): string;
  fetch(client: Enforcer): Promise<readonly T[]>;
  /** The message of the error a failed fetch that is not an `EnforcerError` becomes. */
  failure: string;
  /** While a new list loads, show the previous one (a tenant switcher does not blink). */
  keepWhileLoading: boolean;
}

const empty: readonly never[] = Object.freeze([]);
const loading: ListState<never> = Object.freeze({ status: 'loading', items: empty, error: undefined });
const signedOut: ListState<never> = Object.freeze({ status: 'ready', items: empty, error: undefined });

/**
 * One list per client, shared by every component that reads it (`useTenants`, `useSessions`): fetched
 * when the first component subscribes and again whenever the session calls for another list, or on
 * `reload`; never during render. `getSnapshot` returns the same object until something changed, as
 * `useSyncExternalStore` needs.
 */
export class SessionList<T> {
  static readonly loading: ListState<never> = loading;
  readonly #client: Enforcer;
  readonly #o: SessionListOptions<T>;
  readonly #listeners = new Set<() => void>();
  #unsubscribe: (() => void) | undefined;
  /** The last list fetched for a signed-in key. */
  #state: { key: string; value: ListState<T> } | undefined;
  /** What `getSnapshot` answers for a key not fetched yet (cached: same object each call). */
  #pending: { key: string; value: ListState<T> } | undefined;
  #fetching: string | undefined;
  #generation = 0;

  constructor(client: Enforcer, options: SessionListOptions<T>) {
    this.#client = client;
    this.#o = options;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (!this.#unsubscribe) {
      this.#unsubscribe = this.#client.subscribe(() => {
        this.#sync();
        this.notify();
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

  getSnapshot = (): ListState<T> => {
    const key = this.#key();
    if (key === 'loading') return loading;
    if (key === 'signed_out') return signedOut;
    if (this.#state?.key === key) return this.#state.value;
    if (this.#pending?.key !== key) {
      const items = this.#o.keepWhileLoading ? (this.#state?.value.items ?? empty) : empty;
      this.#pending = { key, value: Object.freeze({ status: 'loading', items, error: undefined }) };
    }
    return this.#pending.value;
  };

  /** Fetches the list again. */
  reload = async (): Promise<void> => {
    const key = this.#key();
    if (key === 'loading' || key === 'signed_out') return;
    await this.#fetch(key);
  };

  /** Tells every subscriber to read again (the list, or something a wrapper adds to it, changed). */
  notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #key(): string {
    const snapshot = this.#client.getSnapshot();
    return snapshot.status === 'signed_in' ? this.#o.keyOf(snapshot) : snapshot.status;
  }

  #sync(): void {
    const key = this.#key();
    if (key === 'loading' || key === 'signed_out') return;
    if (this.#state?.key === key || this.#fetching === key) return;
    void this.#fetch(key);
  }

  async #fetch(key: string): Promise<void> {
    const generation = ++this.#generation;
    this.#fetching = key;
    let value: ListState<T>;
    try {
      value = Object.freeze({ status: 'ready', items: await this.#o.fetch(this.#client), error: undefined });
    } catch (error) {
      value = Object.freeze({
        status: 'error',
        // The previous list is kept only if it is this key's (a failed reload); another's is not shown.
        items:
          this.#o.keepWhileLoading || this.#state?.key === key ? (this.#state?.value.items ?? empty) : empty,
        error:
          error instanceof EnforcerError
            ? error
            : new EnforcerError('invalid_response', this.#o.failure, { cause: error }),
      });
    }
    if (generation !== this.#generation) return;
    this.#fetching = undefined;
    // A list for a session that is no longer current is dropped; the current one is fetched.
    if (this.#key() !== key) {
      this.#sync();
      return;
    }
    this.#state = { key, value };
    this.notify();
  }
}

/** One store per client and kind of list. */
export function perClient<S>(make: (client: Enforcer) => S): (client: Enforcer) => S {
  const stores = new WeakMap<Enforcer, S>();
  return (client) => {
    let store = stores.get(client);
    if (!store) {
      store = make(client);
      stores.set(client, store);
    }
    return store;
  };
}
