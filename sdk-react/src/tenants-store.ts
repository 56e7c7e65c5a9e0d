import type { Membership } from '@enforcer/contract';
import type { Enforcer, EnforcerError } from '@enforcer/sdk-js';
import { type ListState, perClient, SessionList } from './session-list';

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

const view = (list: ListState<Membership>, switchingTo: string | null): TenantsState =>
  Object.freeze({ status: list.status, tenants: list.items, error: list.error, switchingTo });
export const loadingTenants: TenantsState = view(SessionList.loading, null);

/** The memberships list of one client, shared by every `useTenants()`, with the switch under way. */
export class TenantsStore {
  readonly #client: Enforcer;
  readonly #list: SessionList<Membership>;
  #switchingTo: string | null = null;
  #last: { from: ListState<Membership>; switchingTo: string | null; value: TenantsState } | undefined;

  constructor(client: Enforcer) {
    this.#client = client;
    this.#list = new SessionList(client, {
      // The memberships depend on who is signed in and where: a switch is a new session.
      keyOf: (snapshot) => `${snapshot.sessionId}:${snapshot.tenant.id}`,
      fetch: (c) => c.tenants.list(),
      failure: 'The tenants could not be loaded',
      keepWhileLoading: true,
    });
  }

  subscribe = (listener: () => void): (() => void) => this.#list.subscribe(listener);

  getSnapshot = (): TenantsState => {
    const list = this.#list.getSnapshot();
    if (list === SessionList.loading) return loadingTenants;
    if (this.#last?.from !== list || this.#last.switchingTo !== this.#switchingTo) {
      this.#last = { from: list, switchingTo: this.#switchingTo, value: view(list, this.#switchingTo) };
    }
    return this.#last.value;
  };

  /** Fetches the list again (e.g. after your backend added the person to a tenant). */
  reload = (): Promise<void> => this.#list.reload();

  switchTo = async (tenantId: string) => {
    this.#setSwitching(tenantId);
    try {
      return await this.#client.tenants.switch(tenantId);
    } finally {
      this.#setSwitching(null);
    }
  };

  #setSwitching(tenantId: string | null): void {
    this.#switchingTo = tenantId;
    this.#list.notify();
  }
}

export const tenantsStoreOf = perClient((client) => new TenantsStore(client));
