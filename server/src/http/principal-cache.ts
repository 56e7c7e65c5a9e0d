import type { TenantStatus } from '@enforcer/contract';
import pg from 'pg';

/**
 * What one authentication query reads about a session (see authenticate.ts), kept so that
 * the next request with the same session needs no query at all.
 *
 * Correctness comes from invalidation, not from expiry: database triggers send a
 * notification (`NOTIFY enforcer_changes`) in the same transaction as every change that
 * matters (a session revoked, an account's role, status or groups changed, a tenant's
 * policy changed), and every server process listens. A process only uses the cache while
 * its LISTEN connection is up; when it drops, the cache is emptied and bypassed until it
 * is back. The short time-to-live is a second line of defence, not the mechanism.
 */
export interface CachedPrincipal {
  revoked_at: Date | null;
  account_id: string;
  person_id: string;
  tenant_id: string;
  roles: string[];
  active: boolean;
  grant_version: number;
  policy_version: number;
  /** The tenant's status (`suspended` refuses every token of the tenant). */
  tenant_status?: TenantStatus;
  groups: string[];
  /** The account acting in the session (impersonation, #14) and whether it is active now; null otherwise. */
  actor_account_id?: string | null;
  actor_active?: boolean | null;
  /** The account's public metadata: the source of the policy's metadata subject attributes. */
  public_metadata?: Record<string, unknown>;
}

export const CHANGES_CHANNEL = 'enforcer_changes';

export class PrincipalCache {
  readonly #entries = new Map<string, { row: CachedPrincipal; expiresAt: number }>();
  /** Reads under way, by session id: concurrent misses for one session share one query. */
  readonly #loading = new Map<string, { generation: number; row: Promise<CachedPrincipal | undefined> }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  #enabled = false;
  /** Counts invalidations, so a read that raced one is not stored (see `set`). */
  #generation = 0;

  readonly #random: () => number;

  constructor(options: { ttlMs?: number; max?: number; now?: () => number; random?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#max = options.max ?? 50_000;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Take this before reading the database; pass it to `set`. */
  get generation(): number {
    return this.#generation;
  }

  get(sessionId: string): CachedPrincipal | undefined {
    if (!this.#enabled) return undefined;
    const entry = this.#entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(sessionId);
      return undefined;
    }
    return entry.row;
  }

  /**
   * Stores what a query read, unless something was invalidated since `generation` was
   * taken: the row might predate that change.
   */
  set(sessionId: string, row: CachedPrincipal, generation: number): void {
    if (!this.#enabled || generation !== this.#generation) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    // Expiry spread over the last fifth of the TTL: entries stored together (a restart, a
    // tenant-wide invalidation) do not all expire in the same instant and miss together.
    const ttl = this.#ttlMs * (0.8 + 0.2 * this.#random());
    this.#entries.set(sessionId, { row, expiresAt: this.#now() + ttl });
  }

  /**
   * The session's row from the cache, or from `read` (then cached). Requests that miss at
   * once for the same session share one read (single flight), unless an invalidation came
   * between: a request that starts after a change never joins a read that may predate it.
   */
  async load(
    sessionId: string,
    read: () => Promise<CachedPrincipal | undefined>,
  ): Promise<CachedPrincipal | undefined> {
    const cached = this.get(sessionId);
    if (cached) return cached;
    const generation = this.#generation;
    const pending = this.#loading.get(sessionId);
    if (pending && pending.generation === generation) return pending.row;
    const row = read().then((found) => {
      if (found) this.set(sessionId, found, generation);
      return found;
    });
    const entry = { generation, row };
    this.#loading.set(sessionId, entry);
    try {
      return await row;
    } finally {
      if (this.#loading.get(sessionId) === entry) this.#loading.delete(sessionId);
    }
  }

  /** Applies one notification: `s:<session id>`, `a:<account id>` or `t:<tenant id>`. */
  invalidate(payload: string): void {
    if (payload.startsWith('sync:')) return; // a barrier marker (ChangeListener.sync), no change
    this.#generation++;
    const [kind, id] = [payload.slice(0, 1), payload.slice(2)];
    if (kind === 's') {
      this.#entries.delete(id);
      return;
    }
    for (const [sid, { row }] of this.#entries) {
      if ((kind === 'a' && row.account_id === id) || (kind === 't' && row.tenant_id === id) || kind === '*') {
        this.#entries.delete(sid);
      }
    }
  }

  enable(): void {
    this.#enabled = true;
  }

  /** Stops using the cache and forgets everything (the notifications can no longer be trusted). */
  disable(): void {
    this.#enabled = false;
    this.#generation++;
    this.#entries.clear();
  }
}

/**
 * Keeps a LISTEN connection open and feeds its notifications to the cache; reconnects
 * with a growing delay. The cache is enabled only while the connection listens.
 */
export class ChangeListener {
  readonly #url: string;
  readonly #cache: PrincipalCache;
  readonly #log: (message: string, error?: unknown) => void;
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #delayMs = 100;
  #syncCounter = 0;
  readonly #waiting = new Map<string, () => void>();
  /** The marker's round trip under way, and the one the calls made meanwhile wait for. */
  #inFlight: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(options: {
    url: string;
    cache: PrincipalCache;
    log?: (message: string, error?: unknown) => void;
  }) {
    this.#url = options.url;
    this.#cache = options.cache;
    this.#log = options.log ?? (() => {});
  }

  async start(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url });
    this.#client = client;
    const lost = (error?: unknown) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#cache.disable();
      client.removeAllListeners();
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#log('change listener lost its connection; principal cache bypassed until it is back', error);
      this.#retry = setTimeout(() => void this.start(), this.#delayMs);
      this.#retry.unref();
      this.#delayMs = Math.min(this.#delayMs * 2, 5000);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL) return;
      const payload = message.payload ?? '*:';
      this.#cache.invalidate(payload);
      this.#waiting.get(payload)?.();
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANGES_CHANNEL}`);
      this.#delayMs = 100;
      this.#cache.enable();
    } catch (error) {
      lost(error);
    }
  }

  /**
   * A barrier: resolves once this listener has received every notification committed
   * before the call. Notifications are delivered in commit order, so it sends one of its
   * own and waits for it to come back. A server calls it after a request that may have
   * written, before answering: the caller's next request then sees the change, whatever
   * it was. If the marker does not come back in time, the cache is emptied and bypassed.
   *
   * Calls share round trips: one marker is in flight at a time, and every call made while
   * it is joins the next one (sent once it is back, so it is sent after each of them). Under
   * load that is two markers whatever the number of writes, and the LISTEN connection runs
   * one query at a time.
   */
  sync(timeoutMs = 2000): Promise<void> {
    if (!this.#client || !this.#cache.enabled) return Promise.resolve();
    if (this.#queued) return this.#queued;
    const round = () => this.#round(timeoutMs).finally(() => (this.#inFlight = undefined));
    if (!this.#inFlight) {
      this.#inFlight = round();
      return this.#inFlight;
    }
    this.#queued = this.#inFlight.then(() => {
      this.#queued = undefined;
      this.#inFlight = round();
      return this.#inFlight;
    });
    return this.#queued;
  }

  /** How many markers this listener has sent (tests: calls share them). */
  get markersSent(): number {
    return this.#syncCounter;
  }

  async #round(timeoutMs: number): Promise<void> {
    const client = this.#client;
    if (!client || !this.#cache.enabled) return;
    const marker = `sync:${process.pid}:${++this.#syncCounter}`;
    const arrived = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#waiting.set(marker, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    try {
      await client.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, marker]);
      if (!(await arrived)) {
        this.#log('change listener: a sync marker did not come back; reconnecting');
        this.#cache.disable();
        await client.end().catch(() => {}); // 'end' reconnects, and enables the cache once listening
      }
    } catch (error) {
      this.#log('change listener: sync failed; reconnecting', error);
      this.#cache.disable();
      await client.end().catch(() => {});
    } finally {
      this.#waiting.delete(marker);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#cache.disable();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
