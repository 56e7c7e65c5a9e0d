// @enforcer/react: a provider and hooks over the @enforcer/sdk-js session store.

// Typed action names (register yours once, through any Enforcer package: see `Register`).
export {
  type Action,
  type ActionCatalogue,
  type ActionsOf,
  defineActions,
  type Register,
} from '@enforcer/contract/policy';
export { Can, type CanProps, SessionLoading, SignedIn, SignedOut } from './components';
export { type InitialSession, useEnforcer, useInitialSession } from './context';
export { EnforcerProvider, type EnforcerProviderProps } from './provider';
export type { SessionsState } from './sessions-store';
export type { TenantsState } from './tenants-store';
export { type CanResult, type CanStatus, useCan } from './use-can';
export { type OAuthCallbackOptions, type OAuthCallbackState, useOAuthCallback } from './use-oauth-callback';
export { type SessionActions, type SessionState, useSession, useSessionStatus } from './use-session';
export { type SessionsResult, useSessions } from './use-sessions';
export { type TenantsResult, useTenants } from './use-tenants';
