import type {
  LoginBody,
  Membership,
  OtpRequestResponse,
  RegisterResponse,
  SecondFactor,
} from '@enforcer/contract';
import {
  type Enforcer,
  EnforcerError,
  type LoadingSnapshot,
  type PermissionsState,
  type SessionSnapshot,
  type SignedInSnapshot,
  type SignedOutSnapshot,
  type SignInResult,
} from '@enforcer/sdk-js';
import { useCallback, useMemo } from 'react';
import { type InitialSession, useEnforcerContext } from './context';
import { useSessionSelector } from './store';

/** The SDK's flows, bound to the provider's client. Each resolves when the session changed. */
export interface SessionActions {
  requestOtp(email: string, options?: { tenantCode?: string | null }): Promise<OtpRequestResponse>;
  /**
   * Signs in with an emailed code: `signed_in` with the session, `mfa_required` with `verify(factor)`, or
   * `mfa_enrollment_required` with `enroll()` and `confirm(code)`.
   */
  signInWithOtp(input: { email: string; otp: string; tenantCode?: string }): Promise<SignInResult>;
  /** Any `POST /auth/login` body: `signed_in`, `mfa_required` or `mfa_enrollment_required`, as `signInWithOtp`. */
  signIn(body: LoginBody): Promise<SignInResult>;
  /** Finishes an `mfa_required` sign-in with its `mfaToken` and `{ code }` or `{ recovery_code }`. */
  verifyMfa(mfaToken: string, factor: SecondFactor): Promise<SignedInSnapshot>;
  /** @deprecated Since 0.1; removed in 0.2. Use `signInWithOtp()` (`mfa_required` is a result there, not a throw). */
  loginWithOtp(input: { email: string; otp: string; tenantCode?: string }): Promise<SignedInSnapshot>;
  /** @deprecated Since 0.1; removed in 0.2. Use `signIn()` (`mfa_required` is a result there, not a throw). */
  login(body: LoginBody): Promise<SignedInSnapshot>;
  register(input: { email: string; tenantCode?: string | null }): Promise<RegisterResponse>;
  /** Signs out here and in every tab (`everywhere`: every session of the person). */
  logout(options?: { everywhere?: boolean }): Promise<void>;
  createTenant(input: { name: string; adminEmail: string; otp?: string }): Promise<SignedInSnapshot>;
  acceptInvite(code: string): Promise<SignedInSnapshot>;
  switchTenant(tenantId: string): Promise<SignedInSnapshot>;
  joinTenant(tenantCode: string): Promise<SignedInSnapshot>;
  listTenants(): Promise<Membership[]>;
  /** Fetches permissions again, e.g. after your backend changed the account's groups. */
  reloadPermissions(): Promise<void>;
}

/**
 * The session snapshot (a union on `status`: narrow on it to reach `account`, `tenant`, ...)
 * plus the actions. The same object comes back until the session changes.
 */
export type SessionState = (LoadingSnapshot | SignedOutSnapshot | SignedInSnapshot) & SessionActions;

const notReady = () =>
  Promise.reject(
    new EnforcerError('not_supported', 'Enforcer is not ready yet (server rendering or hydration)'),
  );

function actionsOf(client: Enforcer | null): SessionActions {
  if (!client) {
    return {
      requestOtp: notReady,
      signInWithOtp: notReady,
      signIn: notReady,
      verifyMfa: notReady,
      loginWithOtp: notReady,
      login: notReady,
      register: notReady,
      logout: notReady,
      createTenant: notReady,
      acceptInvite: notReady,
      switchTenant: notReady,
      joinTenant: notReady,
      listTenants: notReady,
      reloadPermissions: notReady,
    };
  }
  return {
    requestOtp: (email, options) => client.requestOtp(email, options),
    signInWithOtp: (input) => client.signInWithOtp(input),
    signIn: (body) => client.signIn(body),
    verifyMfa: (mfaToken, factor) => client.verifyMfa(mfaToken, factor),
    loginWithOtp: (input) => client.loginWithOtp(input),
    login: (body) => client.login(body),
    register: (input) => client.register(input),
    logout: (options) => client.logout(options),
    createTenant: (input) => client.createTenant(input),
    acceptInvite: (code) => client.acceptInvite(code),
    switchTenant: (tenantId) => client.tenants.switch(tenantId),
    joinTenant: (tenantCode) => client.tenants.join(tenantCode),
    listTenants: () => client.tenants.list(),
    reloadPermissions: () => client.reloadPermissions(),
  };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

function samePermissions(a: PermissionsState, b: PermissionsState): boolean {
  if (a === b) return true;
  if (a.status !== b.status) return false;
  if (a.status === 'loading') return true;
  if (a.status === 'error') return a.error === (b as typeof a).error;
  const other = b as typeof a;
  return (
    a.etag === other.etag &&
    sameList(a.permissions, other.permissions) &&
    JSON.stringify(a.subject) === JSON.stringify(other.subject)
  );
}

/**
 * Content equality of two snapshots. The SDK already returns the same object while nothing
 * changed; this also treats a permissions reload that brought the same answer as no change,
 * so `reloadPermissions()` on focus or on an interval re-renders nothing.
 */
export function sameSession(a: SessionSnapshot, b: SessionSnapshot): boolean {
  if (a === b) return true;
  if (a.status !== 'signed_in' || b.status !== 'signed_in') return a.status === b.status;
  return (
    a.sessionId === b.sessionId &&
    a.expiresAt === b.expiresAt &&
    a.account === b.account &&
    a.person === b.person &&
    a.tenant === b.tenant &&
    sameList(a.roles, b.roles) &&
    sameList(a.groups, b.groups) &&
    sameList(a.amr, b.amr) &&
    samePermissions(a.permissions, b.permissions)
  );
}

/**
 * The session: `status` (`loading` | `signed_out` | `signed_in`), and when signed in the
 * `account`, `person`, `tenant`, `roles`, `groups` and `permissions` state; plus the actions.
 * Re-renders only when the session changed. On the server it is always `loading`.
 */
export function useSession(): SessionState {
  const { client, initialSession } = useEnforcerContext();
  // A server that found no session: signed out from the first render. (A signed-in one cannot stand in
  // for the snapshot, whose account, person and tenant a token does not carry: `loading` until restored;
  // `useSessionStatus`, `<SignedIn>` and `useCan` answer from it meanwhile.)
  const select = useCallback(
    (snapshot: SessionSnapshot) =>
      snapshot.status === 'loading' && initialSession?.status === 'signed_out' ? signedOut : snapshot,
    [initialSession],
  );
  const snapshot = useSessionSelector(client, select, sameSession);
  const actions = useMemo(() => actionsOf(client), [client]);
  return useMemo(() => ({ ...snapshot, ...actions }), [snapshot, actions]);
}

const signedOut: SignedOutSnapshot = Object.freeze({ status: 'signed_out' });

/** The status, or the server's while the client has none of its own yet. */
export const statusWith =
  (initial: InitialSession | null) =>
  (snapshot: SessionSnapshot): SessionSnapshot['status'] =>
    snapshot.status === 'loading' && initial ? initial.status : snapshot.status;

/**
 * Only the status: re-renders on sign-in, sign-out and restore, never on a token refresh. With the
 * provider's `initialSession`, the server's status until the client restored its own.
 */
export function useSessionStatus(): SessionSnapshot['status'] {
  const { client, initialSession } = useEnforcerContext();
  const select = useMemo(() => statusWith(initialSession), [initialSession]);
  return useSessionSelector(client, select);
}
