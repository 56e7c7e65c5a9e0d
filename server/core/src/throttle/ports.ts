/** What a counter counts: failures against one account (tenant + identifier), or from one client address. */
export const throttleKinds = ['account', 'client'] as const;
export type ThrottleKind = (typeof throttleKinds)[number];

/** The key a failure is counted under and, for account keys, whose it is. */
export interface ThrottleKey {
  /** `account:<tenant id>:<identifier>` or `client:<ip>` (rules.ts `accountKey`, `clientKey`). */
  key: string;
  kind: ThrottleKind;
  /** Account keys: the tenant and the identifier; null for client keys. */
  tenantId: string | null;
  identifier: string | null;
}

/** One counter as stored. */
export interface ThrottleCounter extends ThrottleKey {
  /** Consecutive failures (accounts: since the last success or unlock; clients: within the window). */
  failures: number;
  lastFailureAt: Date | null;
  /** The growing delay: no attempt is judged before then. */
  blockedUntil: Date | null;
  /** A lockout only an unlock lifts (accounts only). */
  lockedAt: Date | null;
  updatedAt: Date;
}

/**
 * The storage port of the sign-in throttle's counters, inside one unit of work (`Repositories.throttle`).
 * Counting is atomic, so two concurrent failures are both counted; `lock` serialises the attempts on one
 * key for the rest of the unit of work (PostgreSQL: a transaction-scoped advisory lock).
 */
export interface ThrottleStore {
  /** Holds the key's lock until the unit of work ends (taken again by the same unit of work: no wait). */
  lock(key: string): Promise<void>;
  /** The counter of `key`, or null when nothing was ever counted under it. */
  read(key: string): Promise<ThrottleCounter | null>;
  /**
   * Counts one failure at `at`, atomically: a new counter starts at 1; an existing one goes up by 1, or
   * starts again at 1 when `windowStart` is given and its last failure is older (the client window).
   * Resolves to the counter after the count.
   */
  countFailure(counter: ThrottleKey, at: Date, windowStart: Date | null): Promise<ThrottleCounter>;
  /** Sets the delay (and, given, the lockout) of an existing counter. */
  write(key: string, change: { blockedUntil: Date | null; lockedAt?: Date | null }, at: Date): Promise<void>;
  /** Starts an existing counter again (no failures, no delay) unless it is locked: a lockout stays. */
  restart(key: string, at: Date): Promise<void>;
  /** Clears an existing counter: no failures, no delay, no lockout. */
  clear(key: string, at: Date): Promise<void>;
}

/**
 * The counters of codes sent (`throttle/send-limits.ts`), per key and fixed window, inside one unit of
 * work: what it counts is kept only if the unit of work commits.
 */
export interface SendCounterStore {
  /**
   * Counts one send under each key in the window that starts at `windowStart`, atomically per key, and
   * resolves to each key's count after it (in the order of `keys`).
   */
  count(keys: readonly string[], windowStart: Date): Promise<number[]>;
}
