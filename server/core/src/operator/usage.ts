import type { Clock } from '../platform.js';
import type { UnitOfWork } from '../store.js';

/**
 * Per-tenant usage for billing and dashboards (#15), over one period (a calendar month, UTC):
 * - `accounts`: accounts of the tenant created before the period's end and not deleted;
 * - `activeAccounts` (monthly active accounts): distinct accounts that signed in during the period or
 *   whose session was used (a refresh) during it; impersonation sessions do not count;
 * - `signIns`: successful sign-ins (`auth.login.succeeded` audit events) during the period;
 * - `authorizeCalls`: `POST /authorize`, `/authorize/batch` and `/authorize/filter` calls, from a counter
 *   (nothing else records them), by UTC day.
 * The first three are derived from tables that already exist (audit events, sessions, accounts).
 */
export interface UsageFigures {
  accounts: number;
  activeAccounts: number;
  signIns: number;
  authorizeCalls: number;
}

export interface AuthorizeCallCount {
  tenantId: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  count: number;
}

/** The port to usage counters and figures. */
export interface UsageStore {
  /** Adds to the tenants' authorize-call counters (one row per tenant and day). */
  addAuthorizeCalls(counts: readonly AuthorizeCallCount[]): Promise<void>;
  /** The tenant's figures for `[from, to)` (`from` and `to` at UTC midnight). */
  figures(tenantId: string, from: Date, to: Date): Promise<UsageFigures>;
}

const DAY_MS = 86_400_000;

/** The signed-in action whose events count as sign-ins. */
export const SIGN_IN_ACTION = 'auth.login.succeeded';

/**
 * Counts authorize calls in memory and writes them in one statement per flush, so the decision path
 * never waits for a write. The server flushes every minute and on close; what a process had not flushed
 * when it died is lost (billing figures may undercount by that much, never overcount).
 */
export class AuthorizeCallCounter {
  readonly #clock: Clock;
  #pending = new Map<string, AuthorizeCallCount>();
  /** The UTC day last counted in (`YYYY-MM-DD`) and its bounds (epoch ms): one date format a day, not a call. */
  #day = '';
  #dayStart = 0;
  #dayEnd = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  count(tenantId: string): void {
    const now = this.#clock.now().getTime();
    if (now < this.#dayStart || now >= this.#dayEnd) {
      this.#dayStart = Math.floor(now / DAY_MS) * DAY_MS;
      this.#dayEnd = this.#dayStart + DAY_MS;
      this.#day = new Date(this.#dayStart).toISOString().slice(0, 10);
    }
    const day = this.#day;
    const key = `${tenantId} ${day}`;
    const row = this.#pending.get(key);
    if (row) row.count += 1;
    else this.#pending.set(key, { tenantId, day, count: 1 });
  }

  /** Writes what was counted; on failure the counts are kept for the next flush. */
  async flush(uow: UnitOfWork): Promise<void> {
    if (this.#pending.size === 0) return;
    const taken = this.#pending;
    this.#pending = new Map();
    try {
      await uow.transaction((repos) => repos.usage.addAuthorizeCalls([...taken.values()]));
    } catch (error) {
      for (const [key, row] of taken) {
        const again = this.#pending.get(key);
        if (again) again.count += row.count;
        else this.#pending.set(key, row);
      }
      throw error;
    }
  }
}

/** `YYYY-MM` (default: the month of `now`) → the month and its `[from, to)` at UTC midnight. */
export function monthPeriod(month: string | undefined, now: Date): { month: string; from: Date; to: Date } {
  const [year, index] = month
    ? [Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1]
    : [now.getUTCFullYear(), now.getUTCMonth()];
  const from = new Date(Date.UTC(year, index, 1));
  const to = new Date(Date.UTC(year, index + 1, 1));
  return { month: from.toISOString().slice(0, 7), from, to };
}
