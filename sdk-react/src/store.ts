import type { Enforcer, SessionSnapshot } from '@enforcer/sdk-js';
import { useMemo, useRef, useSyncExternalStore } from 'react';

/**
 * What the server renders, and what the browser renders while hydrating: the session lives in
 * the browser (storage, tabs), so the server cannot know it. Rendering "loading" on both sides
 * keeps hydration consistent; the browser then renders its real state.
 */
export const serverSnapshot: SessionSnapshot = Object.freeze({ status: 'loading' });

const noSubscription = () => () => {};
const getServerSnapshot = () => serverSnapshot;

/**
 * Subscribes to the client's session store and returns `select(snapshot)`. A selection equal
 * (`isEqual`) to the previous one is returned as the previous object, so the component
 * re-renders only when what it selected changed. Without a client (server, hydration), the
 * selection of the loading snapshot.
 */
export function useSessionSelector<T>(
  client: Enforcer | null,
  select: (snapshot: SessionSnapshot, client: Enforcer | null) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  // The last selection handed to React, kept across re-created getters (select is often inline).
  const last = useRef<{ selection: T } | null>(null);
  const getters = useMemo(() => {
    const read = (snapshot: SessionSnapshot): T => {
      const selection = select(snapshot, client);
      const previous = last.current;
      if (previous && isEqual(previous.selection, selection)) return previous.selection;
      last.current = { selection };
      return selection;
    };
    return {
      subscribe: client ? client.subscribe : noSubscription,
      getSnapshot: () => read(client ? client.getSnapshot() : serverSnapshot),
      getServerSnapshot: () => read(getServerSnapshot()),
    };
  }, [client, select, isEqual]);
  return useSyncExternalStore(getters.subscribe, getters.getSnapshot, getters.getServerSnapshot);
}
