import type { Enforcer } from '@enforcer/sdk-js';
import { createContext, useContext } from 'react';

/**
 * What the provider hands down. `client` is null while rendering on the server or hydrating
 * with a provider that creates its own client (from `options`): nothing is created there.
 */
export interface EnforcerContextValue {
  client: Enforcer | null;
  /** What the server render knew (`<EnforcerProvider initialSession>`), until the client knows better. */
  initialSession: InitialSession | null;
}

/**
 * The session a server render passes to the browser (`sessionFromRequest` of `@enforcer/node-verifier`
 * answers one): signed out, or signed in with the verifier's decisions for the page's actions.
 */
export type InitialSession =
  | { status: 'signed_out' }
  | {
      status: 'signed_in';
      accountId: string;
      tenantId?: string;
      roles?: readonly string[];
      groups?: readonly string[];
      /** `action → allowed` as the server decided it (no resource). */
      decisions?: Readonly<Record<string, boolean>>;
    };

export const EnforcerContext = createContext<EnforcerContextValue | null>(null);
EnforcerContext.displayName = 'EnforcerContext';

/** The provider's value; throws outside `<EnforcerProvider>`. */
export function useEnforcerContext(): EnforcerContextValue {
  const value = useContext(EnforcerContext);
  if (!value) throw new Error('@enforcer/react: wrap your app in <EnforcerProvider>');
  return value;
}

/**
 * The `Enforcer` client of the nearest `<EnforcerProvider>`, for what the hooks do not cover
 * (`api`, `getAccessToken()`, `policy()`). Null during server rendering and hydration when the
 * provider was given `options` (it creates its client in the browser only).
 */
export function useEnforcer(): Enforcer | null {
  return useEnforcerContext().client;
}

/** The provider's `initialSession` (what the server render knew), or null. */
export function useInitialSession(): InitialSession | null {
  return useEnforcerContext().initialSession;
}
