import type { Account, Person, PolicySubject, Tenant } from '@enforcer/contract';
import type { EnforcerError } from '../shared/errors';

/**
 * What `can()` works from: `GET /auth/permissions` (the subject, the tenant's effective
 * policy and its ETag), compiled by the policy engine, which is loaded on first use.
 */
export type PermissionsState =
  | { status: 'loading' }
  | { status: 'ready'; etag: string; permissions: string[]; subject: PolicySubject }
  | { status: 'error'; error: EnforcerError };

export interface SignedInSnapshot {
  status: 'signed_in';
  account: Account;
  person: Person;
  tenant: Tenant;
  /** From the permissions answer when it is there (current), else from the access token. */
  roles: readonly string[];
  groups: readonly string[];
  /** The session (refresh-token family) id. */
  sessionId: string;
  /** How the person signed in (RFC 8176: `otp`, ...). */
  amr: readonly string[];
  /**
   * The admin's account acting as this one (an impersonation token's `act.sub`, #14; `subject.actor` in
   * policies), or null for the account's own session.
   */
  actor: string | null;
  /** When the current access token expires (local epoch ms); it is refreshed before that. */
  expiresAt: number;
  permissions: PermissionsState;
}

export interface LoadingSnapshot {
  status: 'loading';
}

export interface SignedOutSnapshot {
  status: 'signed_out';
}

/**
 * The session as the UI sees it. `getSnapshot()` returns the same object until something
 * changes, so it can feed React's `useSyncExternalStore` directly.
 */
export type SessionSnapshot = LoadingSnapshot | SignedOutSnapshot | SignedInSnapshot;

export const loadingSnapshot: LoadingSnapshot = Object.freeze({ status: 'loading' });
export const signedOutSnapshot: SignedOutSnapshot = Object.freeze({ status: 'signed_out' });
