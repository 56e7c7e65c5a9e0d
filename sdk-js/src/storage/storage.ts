/**
 * Where the session (tokens, account, tenant) is kept. Adapters may be synchronous
 * (memory, localStorage) or asynchronous (a custom one over IndexedDB or a native store).
 * Tabs that share an adapter (localStorage, or one memory adapter passed to several
 * SDK instances in a test) share the session; sessionStorage and the default memory
 * adapter keep one session per tab.
 */
export interface StorageAdapter {
  get(key: string): string | null | Promise<string | null>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
  /** Optional: calls `listener` when another tab changed `key` (localStorage's `storage` event). */
  subscribe?(key: string, listener: () => void): () => void;
}

/**
 * In memory: the default. Pass one instance to several SDKs to share a session between
 * them (tests use it as the tabs' localStorage: it notifies subscribers of every change,
 * as the `storage` event does).
 */
export function memoryStorage(): StorageAdapter {
  const values = new Map<string, string>();
  const listeners = new Map<string, Set<() => void>>();
  const notify = (key: string) => {
    for (const listener of listeners.get(key) ?? []) queueMicrotask(listener);
  };
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => {
      values.set(key, value);
      notify(key);
    },
    remove: (key) => {
      values.delete(key);
      notify(key);
    },
    subscribe: (key, listener) => {
      const set = listeners.get(key) ?? new Set();
      listeners.set(key, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

type WebStorageName = 'localStorage' | 'sessionStorage';

/**
 * `window.localStorage` or `window.sessionStorage`, looked up when first used (never at
 * import, so server-side rendering is safe). Where it is missing or refuses to work
 * (SSR, some private modes), a memory adapter stands in.
 */
function webStorage(name: WebStorageName): StorageAdapter {
  let resolved: Storage | null | undefined;
  const fallback = memoryStorage();
  const store = (): Storage | null => {
    if (resolved !== undefined) return resolved;
    try {
      const candidate = (globalThis as { [K in WebStorageName]?: Storage })[name] ?? null;
      candidate?.setItem('enforcer.probe', '1');
      candidate?.removeItem('enforcer.probe');
      resolved = candidate;
    } catch {
      resolved = null;
    }
    return resolved;
  };
  return {
    get: (key) => (store() ? store()!.getItem(key) : fallback.get(key)),
    set: (key, value) => (store() ? store()!.setItem(key, value) : fallback.set(key, value)),
    remove: (key) => (store() ? store()!.removeItem(key) : fallback.remove(key)),
    subscribe: (key, listener) => {
      const target = globalThis as { addEventListener?: typeof addEventListener };
      if (name !== 'localStorage' || typeof target.addEventListener !== 'function') return () => {};
      const onStorage = (event: Event) => {
        const e = event as StorageEvent;
        if (e.key === key || e.key === null) listener();
      };
      target.addEventListener('storage', onStorage);
      return () => globalThis.removeEventListener?.('storage', onStorage);
    },
  };
}

/** Shared by every tab of the origin: tabs share one session and follow each other. */
export const localStorageAdapter = (): StorageAdapter => webStorage('localStorage');
/** One session per tab (a duplicated tab starts with a copy of it). */
export const sessionStorageAdapter = (): StorageAdapter => webStorage('sessionStorage');

export type StorageOption = 'memory' | 'local' | 'session' | StorageAdapter;

export function resolveStorage(option: StorageOption | undefined): StorageAdapter {
  if (option === undefined || option === 'memory') return memoryStorage();
  if (option === 'local') return localStorageAdapter();
  if (option === 'session') return sessionStorageAdapter();
  return option;
}
