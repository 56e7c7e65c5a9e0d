import type {
  SendCounterStore,
  ThrottleCounter,
  ThrottleKey,
  ThrottleKind,
  ThrottleStore,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthThrottle, type IAuthThrottle } from '../../entities/throttle.js';

interface CounterRow {
  key: string;
  kind: ThrottleKind;
  tenant_id: string | null;
  identifier: string | null;
  failures: number;
  last_failure_at: Date | null;
  blocked_until: Date | null;
  locked_at: Date | null;
  updated_at: Date;
}

const toCounter = (row: IAuthThrottle | CounterRow): ThrottleCounter =>
  'tenant_id' in row
    ? {
        key: row.key,
        kind: row.kind,
        tenantId: row.tenant_id,
        identifier: row.identifier,
        failures: row.failures,
        lastFailureAt: row.last_failure_at,
        blockedUntil: row.blocked_until,
        lockedAt: row.locked_at,
        updatedAt: row.updated_at,
      }
    : {
        key: row.key,
        kind: row.kind,
        tenantId: row.tenantId ?? null,
        identifier: row.identifier ?? null,
        failures: row.failures,
        lastFailureAt: row.lastFailureAt ?? null,
        blockedUntil: row.blockedUntil ?? null,
        lockedAt: row.lockedAt ?? null,
        updatedAt: row.updatedAt,
      };

// One statement: concurrent failures on one key are both counted (the row lock of the upsert).
const COUNT_FAILURE = `
  insert into auth_throttle (key, kind, tenant_id, identifier, failures, last_failure_at, updated_at)
  values (?, ?, ?, ?, 1, ?, ?)
  on conflict (key) do update set
    failures = case when ?::timestamptz is not null
                     and (auth_throttle.last_failure_at is null or auth_throttle.last_failure_at < ?::timestamptz)
                    then 1 else auth_throttle.failures + 1 end,
    last_failure_at = excluded.last_failure_at,
    updated_at = excluded.updated_at
  returning *`;

/**
 * The sign-in throttle's counters in PostgreSQL (`auth_throttle`), in the unit of work's transaction.
 * Counters change by single SQL statements (atomic under the row lock), never by entities, so reads skip
 * the identity map. `lock` is a transaction-scoped advisory lock on the key.
 */
export class PostgresThrottleStore implements ThrottleStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async lock(key: string): Promise<void> {
    await this.#em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
      `enforcer:throttle:${key}`,
    ]);
  }

  async read(key: string): Promise<ThrottleCounter | null> {
    const row = await this.#em.findOne(AuthThrottle, { key }, { disableIdentityMap: true });
    return row && toCounter(row);
  }

  async countFailure(counter: ThrottleKey, at: Date, windowStart: Date | null): Promise<ThrottleCounter> {
    const rows = (await this.#em.execute(COUNT_FAILURE, [
      counter.key,
      counter.kind,
      counter.tenantId,
      counter.identifier,
      at,
      at,
      windowStart,
      windowStart,
    ])) as CounterRow[];
    return toCounter(rows[0]!);
  }

  async write(
    key: string,
    change: { blockedUntil: Date | null; lockedAt?: Date | null },
    at: Date,
  ): Promise<void> {
    if (change.lockedAt === undefined) {
      await this.#em.execute('update auth_throttle set blocked_until = ?, updated_at = ? where key = ?', [
        change.blockedUntil,
        at,
        key,
      ]);
    } else {
      await this.#em.execute(
        'update auth_throttle set blocked_until = ?, locked_at = ?, updated_at = ? where key = ?',
        [change.blockedUntil, change.lockedAt, at, key],
      );
    }
  }

  async restart(key: string, at: Date): Promise<void> {
    await this.#em.execute(
      'update auth_throttle set failures = 0, blocked_until = null, updated_at = ? where key = ? and locked_at is null',
      [at, key],
    );
  }

  async clear(key: string, at: Date): Promise<void> {
    await this.#em.execute(
      'update auth_throttle set failures = 0, blocked_until = null, locked_at = null, updated_at = ? where key = ?',
      [at, key],
    );
  }
}

/** Windows this old are over for every budget (the longest is a day): their rows are deleted. */
const SEND_COUNTER_RETENTION_MS = 2 * 24 * 3_600_000;

/**
 * Counts under every key at once, in key order (two requests counting the same keys lock them in the same
 * order: no deadlock), starting a key's count again when its window moved on.
 */
const COUNT_SENDS = `
  insert into send_counter (key, window_start, count)
  select k, ?::timestamptz, 1 from unnest(array[?]::text[]) as k order by k
  on conflict (key) do update set
    count = case when send_counter.window_start = excluded.window_start then send_counter.count + 1 else 1 end,
    window_start = excluded.window_start
  returning key, count`;

/** The counters of codes sent in PostgreSQL (`send_counter`), in the unit of work's transaction. */
export class PostgresSendCounterStore implements SendCounterStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async count(keys: readonly string[], windowStart: Date): Promise<number[]> {
    const rows = (await this.#em.execute(COUNT_SENDS, [windowStart, [...keys]])) as Array<{
      key: string;
      count: number;
    }>;
    await this.#em.execute('delete from send_counter where window_start < ?', [
      new Date(windowStart.getTime() - SEND_COUNTER_RETENTION_MS),
    ]);
    const counts = new Map(rows.map((row) => [row.key, Number(row.count)]));
    return keys.map((key) => counts.get(key) ?? 0);
  }
}
