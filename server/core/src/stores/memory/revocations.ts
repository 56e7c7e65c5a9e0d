import type { GrantReader } from '../../policy/ports.js';
import { visibleInSnapshot } from '../../revocations/cursor.js';
import type {
  FeedAccountState,
  FeedQuery,
  RevocationEventKind,
  RevocationEventRecord,
  RevocationFeedStore,
} from '../../revocations/ports.js';
import type { MemoryDatabase } from './database.js';

/**
 * The revocation feed's log in the memory database's `revocationEvents` table. Each event is its own
 * committed "transaction": its `xid` is the next number of `lastRevocationXid`, so the current snapshot is
 * `n:n:` (everything before `n` committed) and the core's cursor and paging rules apply unchanged.
 */
export class MemoryRevocationFeed implements RevocationFeedStore {
  readonly #db: MemoryDatabase;
  readonly #grants: GrantReader;

  /** `grants`: where accounts are read (the feed shows them as they are now). */
  constructor(db: MemoryDatabase, grants: GrantReader) {
    this.#db = db;
    this.#grants = grants;
  }

  async read(query: FeedQuery): Promise<{ snapshot: string; events: RevocationEventRecord[] }> {
    const next = this.#db.tables.lastRevocationXid + 1;
    const snapshot = query.snapshot ?? `${next}:${next}:`;
    const since = this.#db.now().getTime() - query.retentionSeconds * 1000;
    const { after, seen } = query;
    const events = this.#db.tables.revocationEvents
      .filter(
        (e) =>
          e.tenantId === query.tenantId &&
          (e.xid > after.xid || (e.xid === after.xid && e.id > after.id)) &&
          visibleInSnapshot(e.xid, snapshot) &&
          (seen === null ? e.createdAt.getTime() >= since : !visibleInSnapshot(e.xid, seen)),
      )
      .sort((a, b) => (a.xid === b.xid ? Number(a.id - b.id) : a.xid < b.xid ? -1 : 1))
      .slice(0, query.limit)
      .map((e) => ({ ...e }));
    return { snapshot, events };
  }

  async accountStates(tenantId: string, accountIds: string[]): Promise<FeedAccountState[]> {
    const states: FeedAccountState[] = [];
    for (const id of accountIds) {
      const grant = await this.#grants.find(id);
      if (!grant || grant.tenantId !== tenantId) continue;
      const { accountId, active, roles, groups, grantVersion } = grant;
      states.push({ accountId, active, roles, groups, grantVersion });
    }
    return states;
  }

  async prune(seconds: number): Promise<number> {
    const cutoff = this.#db.now().getTime() - seconds * 1000;
    const before = this.#db.tables.revocationEvents.length;
    this.#db.tables.revocationEvents = this.#db.tables.revocationEvents.filter(
      (e) => e.createdAt.getTime() >= cutoff,
    );
    return before - this.#db.tables.revocationEvents.length;
  }
}

/**
 * Appends an event to the log: what PostgreSQL's triggers do for the server. The mock calls it where it
 * revokes a session or changes an account's role, groups or status.
 */
export function recordRevocationEvent(
  db: MemoryDatabase,
  event: {
    tenantId: string;
    kind: RevocationEventKind;
    accountId?: string | null;
    sessionId?: string | null;
    clientId?: string | null;
    jti?: string | null;
  },
): void {
  db.tables.lastRevocationXid += 1;
  const xid = BigInt(db.tables.lastRevocationXid);
  db.tables.revocationEvents.push({
    id: xid,
    xid,
    tenantId: event.tenantId,
    kind: event.kind,
    sessionId: event.sessionId ?? null,
    accountId: event.accountId ?? null,
    clientId: event.clientId ?? null,
    jti: event.jti ?? null,
    createdAt: db.now(),
  });
}
