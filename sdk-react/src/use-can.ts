import type { Action, Resource } from '@enforcer/contract/policy';
import type { Enforcer, SessionSnapshot } from '@enforcer/sdk-js';
import { useCallback } from 'react';
import { type InitialSession, useEnforcerContext } from './context';
import { useSessionSelector } from './store';

/**
 * The answer of `useCan`. `loading` (the session is being restored, or the permissions of
 * this account are not there yet) is distinct from `denied`, so gated UI renders neither the
 * allowed nor the forbidden variant until it knows. `error`: the permissions could not be
 * loaded; treated as denied (`allowed` is false).
 */
export type CanStatus = 'loading' | 'allowed' | 'denied' | 'error';

export interface CanResult {
  status: CanStatus;
  /** True only when the policy allows it. Never true while loading. */
  allowed: boolean;
  /** True while the answer is not known yet. */
  loading: boolean;
}

const results: Record<CanStatus, CanResult> = {
  loading: Object.freeze({ status: 'loading', allowed: false, loading: true }),
  allowed: Object.freeze({ status: 'allowed', allowed: true, loading: false }),
  denied: Object.freeze({ status: 'denied', allowed: false, loading: false }),
  error: Object.freeze({ status: 'error', allowed: false, loading: false }),
};

/** The decision for a snapshot: the SDK's local `can()`, once the permissions are loaded. */
export function decide(
  snapshot: SessionSnapshot,
  client: Enforcer | null,
  action: string,
  resource?: Resource,
  initial: InitialSession | null = null,
): CanResult {
  // The server's decision (no resource), while the client does not know yet.
  const fromServer = (): CanResult => {
    if (!initial || resource !== undefined) return results.loading;
    if (initial.status === 'signed_out') return results.denied;
    const decided = initial.decisions?.[action];
    return decided === undefined ? results.loading : decided ? results.allowed : results.denied;
  };
  if (snapshot.status === 'loading' || !client) return fromServer();
  if (snapshot.status === 'signed_out') return results.denied;
  switch (snapshot.permissions.status) {
    case 'loading':
      // The same account the server saw: its decision holds until the policy arrives.
      return initial?.status === 'signed_in' && initial.accountId === snapshot.account.id
        ? fromServer()
        : results.loading;
    case 'error':
      return results.error;
    case 'ready':
      return client.can(action, resource) ? results.allowed : results.denied;
  }
}

/**
 * May the signed-in account do `action` (to `resource`)? Decided locally by the same policy
 * engine as the server. Returns one of four constant objects, so a component re-renders only
 * when the answer changes (not on token refreshes or unrelated session changes).
 *
 * ```tsx
 * const { allowed, loading } = useCan('transfers.create');
 * ```
 */
export function useCan(action: Action, resource?: Resource): CanResult {
  const { client, initialSession } = useEnforcerContext();
  // A resource passed inline is a new object each render; the decision is recomputed then, which
  // is cheap (compiled closures), and equal answers are the same constant object.
  const select = useCallback(
    (snapshot: SessionSnapshot, current: Enforcer | null) =>
      decide(snapshot, current, action, resource, initialSession),
    [action, resource, initialSession],
  );
  return useSessionSelector(client, select);
}
