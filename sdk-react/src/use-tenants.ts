import { EnforcerError, type SessionSnapshot, type SignedInSnapshot } from '@enforcer/sdk-js';
import { useMemo, useSyncExternalStore } from 'react';
import { useEnforcerContext } from './context';
import { useSessionSelector } from './store';
import { loadingTenants, type TenantsState, tenantsStoreOf } from './tenants-store';

export interface TenantsResult extends TenantsState {
  /** The id of the tenant the session is in (null unless signed in). */
  currentTenantId: string | null;
  /** Switches the session to another of the person's tenants; every tab follows. */
  switchTenant(tenantId: string): Promise<SignedInSnapshot>;
  /** Joins a tenant that allows sign-up, by code, and switches to it. */
  joinTenant(tenantCode: string): Promise<SignedInSnapshot>;
  /** Fetches the list again. */
  reload(): Promise<void>;
}

const noSubscription = () => () => {};
const getLoading = () => loadingTenants;
const tenantIdOf = (snapshot: SessionSnapshot) =>
  snapshot.status === 'signed_in' ? snapshot.tenant.id : null;
const notReady = () =>
  Promise.reject(
    new EnforcerError('not_supported', 'Enforcer is not ready yet (server rendering or hydration)'),
  );

/**
 * The signed-in person's tenants (memberships, `current` marking the session's tenant) and a
 * way to switch. Fetched once per session and shared by every component that asks; `loading`
 * on the server.
 */
export function useTenants(): TenantsResult {
  const { client } = useEnforcerContext();
  const store = client ? tenantsStoreOf(client) : null;
  const state = useSyncExternalStore(
    store ? store.subscribe : noSubscription,
    store ? store.getSnapshot : getLoading,
    getLoading,
  );
  const currentTenantId = useSessionSelector(client, tenantIdOf);
  return useMemo(
    () => ({
      ...state,
      currentTenantId,
      switchTenant: store ? store.switchTo : notReady,
      joinTenant: client ? (code: string) => client.tenants.join(code) : notReady,
      reload: store ? store.reload : notReady,
    }),
    [state, currentTenantId, store, client],
  );
}
