import { EnforcerError } from '@enforcer/sdk-js';
import { useMemo, useSyncExternalStore } from 'react';
import { useEnforcerContext } from './context';
import { loadingSessions, type SessionsState, sessionsStoreOf } from './sessions-store';

export interface SessionsResult extends SessionsState {
  /** Ends one session; ending the current one signs this client out (every tab follows). */
  endSession(sessionId: string): Promise<void>;
  /** Ends every session but the current one ("sign out other devices"): how many ended. */
  endOtherSessions(): Promise<number>;
  /** Fetches the list again. */
  reload(): Promise<void>;
}

const noSubscription = () => () => {};
const getLoading = () => loadingSessions;
const notReady = () =>
  Promise.reject(
    new EnforcerError('not_supported', 'Enforcer is not ready yet (server rendering or hydration)'),
  );

/**
 * The signed-in person's live sessions in every tenant (device, IP, sign-in methods, `current` on this
 * one), and ways to end them. Fetched once per session and shared by every component that asks; listed
 * again after ending sessions; `loading` on the server.
 */
export function useSessions(): SessionsResult {
  const { client } = useEnforcerContext();
  const store = client ? sessionsStoreOf(client) : null;
  const state = useSyncExternalStore(
    store ? store.subscribe : noSubscription,
    store ? store.getSnapshot : getLoading,
    getLoading,
  );
  return useMemo(
    () => ({
      ...state,
      endSession: store ? store.end : notReady,
      endOtherSessions: store ? store.endOthers : notReady,
      reload: store ? store.reload : notReady,
    }),
    [state, store],
  );
}
