import type { RateLimitCounterStore } from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';

/** Keys per statement: a sync after a busy second stays a few statements of bounded size. */
const CHUNK = 5_000;

/**
 * Adds each key's new hits to its row for the window, atomically per key, in key order (two processes
 * syncing the same keys lock them in the same order: no deadlock). A row of an older window starts again
 * at these hits; a row of a newer window (a process whose clock runs late) is left as it is.
 */
const ADD_HITS = `
  insert into rate_limit_counter (key, window_start, hits)
  select k, ?::timestamptz, h from unnest(array[?]::text[], array[?]::int[]) as t(k, h) order by k
  on conflict (key) do update set
    hits = case
      when rate_limit_counter.window_start = excluded.window_start then rate_limit_counter.hits + excluded.hits
      when rate_limit_counter.window_start < excluded.window_start then excluded.hits
      else rate_limit_counter.hits end,
    window_start = greatest(rate_limit_counter.window_start, excluded.window_start)
  returning key, window_start, hits`;

/** The totals of keys this process has no new hits for (nothing to write, no row lock taken). */
const READ_HITS = `select key, hits from rate_limit_counter where key = any(array[?]::text[]) and window_start = ?`;

/** Rows of windows older than this are deleted (at most once a minute, by whichever process syncs). */
const RETENTION_MS = 10 * 60_000;

/** The general rate limit's shared counters in PostgreSQL (`rate_limit_counter`), outside any request. */
export class PostgresRateLimitCounters implements RateLimitCounterStore {
  readonly #orm: MikroORM;
  #lastCleanup = 0;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async add(
    windowStart: Date,
    hits: ReadonlyArray<{ key: string; hits: number }>,
  ): Promise<Map<string, number>> {
    const connection = this.#orm.em.getConnection();
    const totals = new Map<string, number>();
    const sorted = hits
      .filter((row) => row.hits > 0)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const readOnly = hits.filter((row) => row.hits === 0).map((row) => row.key);
    for (let i = 0; i < readOnly.length; i += CHUNK) {
      const rows = (await connection.execute(READ_HITS, [
        readOnly.slice(i, i + CHUNK),
        windowStart,
      ])) as Array<{ key: string; hits: number }>;
      for (const row of rows) totals.set(row.key, Number(row.hits));
    }
    for (let i = 0; i < sorted.length; i += CHUNK) {
      const chunk = sorted.slice(i, i + CHUNK);
      const rows = (await connection.execute(ADD_HITS, [
        windowStart,
        chunk.map((row) => row.key),
        chunk.map((row) => row.hits),
      ])) as Array<{ key: string; window_start: Date; hits: number }>;
      for (const row of rows) {
        // A newer window's total is not this window's: the caller moves on with its own clock.
        if (new Date(row.window_start).getTime() === windowStart.getTime())
          totals.set(row.key, Number(row.hits));
      }
    }
    const now = Date.now();
    if (now - this.#lastCleanup > 60_000) {
      this.#lastCleanup = now;
      await connection.execute('delete from rate_limit_counter where window_start < ?', [
        new Date(windowStart.getTime() - RETENTION_MS),
      ]);
    }
    return totals;
  }
}
