import { createEnforcer, type Enforcer, type EnforcerOptions } from '@enforcer/sdk-js';
import { type ReactNode, useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from 'react';
import { EnforcerContext, type EnforcerContextValue, type InitialSession } from './context';

export type EnforcerProviderProps = {
  children?: ReactNode;
  /**
   * Server rendering (#20): the session the server found (`sessionFromRequest` of
   * `@enforcer/node-verifier`). Until the client has restored its own, `useSessionStatus`, `<SignedIn>`,
   * `<SignedOut>`, `<SessionLoading>` and `useCan(action)` (without a resource, for the actions the server
   * decided) answer from it, on the server and while hydrating alike: no "loading" flash, no mismatch.
   */
  initialSession?: InitialSession | null;
} & (
  | {
      /** A client you created (and destroy, if ever). The usual choice: one per app, at module scope. */
      client: Enforcer;
      options?: undefined;
    }
  | {
      /**
       * Options for a client the provider creates in the browser (never on the server), once
       * per mount, and destroys on unmount. Later changes to `options` are ignored.
       */
      options: EnforcerOptions;
      client?: undefined;
    }
);

const noSubscription = () => () => {};
const onClient = () => false;
const onServer = () => true;

const destroyed = new WeakSet<Enforcer>();

/**
 * Makes an Enforcer client available to the hooks below it.
 *
 * ```tsx
 * const enforcer = createEnforcer({ baseUrl: 'https://api.example.com', tenantCode: 'ACME-...', storage: 'local' });
 * root.render(<EnforcerProvider client={enforcer}><App /></EnforcerProvider>);
 * ```
 */
export function EnforcerProvider(props: EnforcerProviderProps): ReactNode {
  const owned = useOwnedClient(props.client ? undefined : props.options);
  const client = props.client ?? owned;
  const initialSession = props.initialSession ?? null;
  const value = useMemo<EnforcerContextValue>(() => ({ client, initialSession }), [client, initialSession]);
  return <EnforcerContext.Provider value={value}>{props.children}</EnforcerContext.Provider>;
}

/**
 * The client of a provider given `options`, created in the browser only. On the server and while
 * hydrating (where `useSyncExternalStore` reads its server snapshot, `true` here) there is none:
 * a client per server render would hold a BroadcastChannel that nobody closes.
 */
function useOwnedClient(options: EnforcerOptions | undefined): Enforcer | null {
  const serverOrHydrating = useSyncExternalStore(noSubscription, onClient, onServer);
  const ref = useRef<Enforcer | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  if (options && !serverOrHydrating && !ref.current) ref.current = createEnforcer(options);

  const client = ref.current;
  useEffect(() => {
    if (!client) return;
    if (destroyed.has(client)) {
      // StrictMode unmounted and remounted us: the destroyed client is replaced.
      ref.current = optionsRef.current ? createEnforcer(optionsRef.current) : null;
      rerender();
      return;
    }
    return () => {
      destroyed.add(client);
      client.destroy();
    };
  }, [client]);

  return client;
}
