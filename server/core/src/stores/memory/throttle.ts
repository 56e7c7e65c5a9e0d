import type { SendCounterStore, ThrottleCounter, ThrottleKey, ThrottleStore } from '../../throttle/ports.js';
import type { MemoryDatabase } from './database.js';

/**
 * The sign-in throttle's counters in the memory database's `throttle` table. Units of work run one at a
 * time, so `lock` has nothing to do and a count is never lost.
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async lock(_key: string): Promise<void> {}

  async read(key: string): Promise<ThrottleCounter | null> {
    const row = this.#rows.get(key);
    return row ? { ...row } : null;
  }

  async countFailure(counter: ThrottleKey, at: Date, windowStart: Date | null): Promise<ThrottleCounter> {
    const row = this.#rows.get(counter.key);
    const stale = windowStart !== null && (row?.lastFailureAt == null || row.lastFailureAt < windowStart);
    const counted: ThrottleCounter = row
      ? { ...row, failures: stale ? 1 : row.failures + 1, lastFailureAt: at, updatedAt: at }
      : { ...counter, failures: 1, lastFailureAt: at, blockedUntil: null, lockedAt: null, updatedAt: at };
    this.#rows.set(counter.key, counted);
    return { ...counted };
  }

  async write(
    key: string,
    change: { blockedUntil: Date | null; lockedAt?: Date | null },
    at: Date,
  ): Promise<void> {
    this.#update(key, { ...change, updatedAt: at });
  }

  async restart(key: string, at: Date): Promise<void> {
    if (this.#rows.get(key)?.lockedAt === null) {
      this.#update(key, { failures: 0, blockedUntil: null, updatedAt: at });
    }
  }

  async clear(key: string, at: Date): Promise<void> {
    this.#update(key, { failures: 0, blockedUntil: null, lockedAt: null, updatedAt: at });
  }

  get #rows(): Map<string, ThrottleCounter> {
    return this.#db.tables.throttle;
  }

  #update(key: string, change: Partial<ThrottleCounter>): void {
    const row = this.#rows.get(key);
    if (row) this.#rows.set(key, { ...row, ...change });
  }
}

/**
 * The counters of codes sent in the memory database's `sends` table, keyed by counter key and window.
 * Windows older than the newest one seen for a key are dropped as it moves on (nothing reads them).
 */
export class MemorySendCounterStore implements SendCounterStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async count(keys: readonly string[], windowStart: Date): Promise<number[]> {
    const rows = this.#db.tables.sends;
    const start = windowStart.getTime();
    return keys.map((key) => {
      const row = rows.get(key);
      const count = row && row.windowStart === start ? row.count + 1 : 1;
      rows.set(key, { windowStart: start, count });
      return count;
    });
  }
}
