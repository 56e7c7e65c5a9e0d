/**
 * The subset of the Web Locks API (`navigator.locks`) the SDK uses: an exclusive lock
 * shared by every tab of the origin, released when its callback settles or its tab dies.
 */
export interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T>): Promise<T>;
}

/** `navigator.locks` when the platform has it (browsers, Node 24), else null. */
export function platformLocks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks && typeof nav.locks.request === 'function' ? nav.locks : null;
}

/**
 * Runs `fn(true)` holding the lock `name`, or `fn(false)` without it when there is no
 * lock manager or the lock was not granted within `timeoutMs`: a tab that froze while
 * holding it must never block the others for longer than that.
 */
export async function withLock<T>(
  locks: LockManagerLike | null,
  name: string,
  timeoutMs: number,
  fn: (locked: boolean) => Promise<T>,
): Promise<T> {
  if (!locks) return fn(false);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let granted = false;
  try {
    return await locks.request(name, { signal: controller.signal }, () => {
      granted = true;
      clearTimeout(timer);
      return fn(true);
    });
  } catch (error) {
    if (granted) throw error;
    clearTimeout(timer);
    return fn(false);
  }
}
