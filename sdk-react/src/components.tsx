import type { Action, Resource } from '@enforcer/contract/policy';
import type { ReactNode } from 'react';
import { useCan } from './use-can';
import { useSessionStatus } from './use-session';

export interface CanProps {
  action: Action;
  resource?: Resource;
  /** Rendered when allowed. */
  children?: ReactNode;
  /** Rendered when denied (or when the permissions could not be loaded). Default: nothing. */
  fallback?: ReactNode;
  /** Rendered while the answer is not known yet. Default: nothing, so neither variant flickers. */
  loading?: ReactNode;
}

/** Renders `children` when the signed-in account may do `action`, `fallback` when not. */
export function Can({ action, resource, children, fallback = null, loading = null }: CanProps): ReactNode {
  const result = useCan(action, resource);
  if (result.loading) return loading;
  return result.allowed ? children : fallback;
}

/** Renders its children only when signed in (not while the session is being restored). */
export function SignedIn({ children }: { children?: ReactNode }): ReactNode {
  return useSessionStatus() === 'signed_in' ? children : null;
}

/** Renders its children only when signed out (not while the session is being restored). */
export function SignedOut({ children }: { children?: ReactNode }): ReactNode {
  return useSessionStatus() === 'signed_out' ? children : null;
}

/** Renders its children while the session is not known yet: on the server, hydrating, restoring. */
export function SessionLoading({ children }: { children?: ReactNode }): ReactNode {
  return useSessionStatus() === 'loading' ? children : null;
}
