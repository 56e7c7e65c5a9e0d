import type { Membership } from '@enforcer/contract';
import { type Enforcer, EnforcerError, type SessionSnapshot } from '@enforcer/sdk-js';

/**
 * The person's tenant memberships (`GET /auth/tenants`). `tenants` keeps the previous list
 * while a new one loads (after a switch), so a switcher does not blink.
 */
export interface TenantsState {
  status: 'loading' | 'ready' | 'error';
  tenants: readonly Membership[];
  error: EnforcerError | undefined;
  /** The tenant a switch is under way to, else null. */
  switchingTo: string | null;
}

const empty: readonly Membership[] = Object.freeze([]);
export const loadingTenants: TenantsState = Object.freeze({
  status: 'loading',
  tenants: empty,
  error: undefined,
  switchingTo: null,
});
const signedOutTenants: TenantsState = Object.freeze({
  status: 'ready',
  tenants: empty,
  error: undefined,
  switchingTo: null,
});

/** The memberships depend on who is signed in and where: a switch is a new session. */
const keyOf = (snapshot: SessionSnapshot): string =>
  snapshot.status === 'signed_in' ? `${snapshot.sessionId}:${snapshot.tenant.id}` : snapshot.status;

/**
 * One list per client, shared by every `useTenants()`: fetched when the first component
 * subscribes and again whenever the session changes (sign-in, switch), never during render.
 */
export class TenantsStore {
  readonly #client: Enforcer;
  readonly #listeners = new Set<() => void>();
  #unsubscribe: (() => void) | undefined;
  /** The last state for a signed-in key. */
  #state: { key: string; value: TenantsState } | undefined;
  /** What getSnapshot answers for a key not fetched yet (cached: same object each call). */
  #pending: { key: string; value: TenantsState } | undefined;
  #fetching: string | undefined;
  #generation = 0;
  #switchingTo: string | null = null;

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

  getSnapshot = (): TenantsState => {
    const key = keyOf(this.#client.getSnapshot());
    if (key === 'loading') return loadingTenants;
    if (key === 'signed_out') return signedOutTenants;
    if (this.#state?.key === key) return this.#withSwitching(this.#state.value);
    if (this.#pending?.key !== key || this.#pending.value.switchingTo !== this.#switchingTo) {
      this.#pending = {
        key,
        value: Object.freeze({
          status: 'loading',
          tenants: this.#state?.value.tenants ?? empty,
          error: undefined,
          switchingTo: this.#switchingTo,
        }),
      };
    }
    return this.#pending.value;
  };

  /** Fetches the list again (e.g. after your backend added the person to a tenant). */
  reload = async (): Promise<void> => {
    const key = keyOf(this.#client.getSnapshot());
    if (key === 'loading' || key === 'signed_out') return;
    await this.#fetch(key);
  };

  switchTo = async (tenantId: string) => {
    this.#setSwitching(tenantId);
    try {
      return await this.#client.tenants.switch(tenantId);
    } finally {
      this.#setSwitching(null);
    }
  };

  #withSwitching(value: TenantsState): TenantsState {
    if (value.switchingTo === this.#switchingTo) return value;
    const next = Object.freeze({ ...value, switchingTo: this.#switchingTo });
    if (this.#state) this.#state = { key: this.#state.key, value: next };
    return next;
  }

  #setSwitching(tenantId: string | null): void {
    this.#switchingTo = tenantId;
    this.#notify();
  }

  #sync(): void {
    const key = keyOf(this.#client.getSnapshot());
    if (key === 'loading' || key === 'signed_out') return;
    if (this.#state?.key === key || this.#fetching === key) return;
    void this.#fetch(key);
  }

  async #fetch(key: string): Promise<void> {
    const generation = ++this.#generation;
    this.#fetching = key;
    let value: TenantsState;
    try {
      const tenants = await this.#client.tenants.list();
      value = Object.freeze({ status: 'ready', tenants, error: undefined, switchingTo: this.#switchingTo });
    } catch (error) {
      value = Object.freeze({
        status: 'error',
        tenants: this.#state?.value.tenants ?? empty,
        error:
          error instanceof EnforcerError
            ? error
            : new EnforcerError('invalid_response', 'The tenants could not be loaded', { cause: error }),
        switchingTo: this.#switchingTo,
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

const stores = new WeakMap<Enforcer, TenantsStore>();

export function tenantsStoreOf(client: Enforcer): TenantsStore {
  let store = stores.get(client);
  if (!store) {
    store = new TenantsStore(client);
    stores.set(client, store);
  }
  return store;
}
