import type { Enforcer } from '@enforcer/sdk-js';
import { createContext, useContext } from 'react';

/**
 * What the provider hands down. `client` is null while rendering on the server or hydrating
 * with a provider that creates its own client (from `options`): nothing is created there.
 */
export interface EnforcerContextValue {
  client: Enforcer | null;
}

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
