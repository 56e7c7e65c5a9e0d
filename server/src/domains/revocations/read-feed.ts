import type { AccountGrant, RevocationFeed, RevokedSession } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  compactSnapshot,
  decodeFeedCursor,
  encodeFeedCursor,
  type FeedCursor,
  snapshotXmin,
  startCursor,
} from './cursor.js';

export interface ReadFeedInput {
  tenantId: string;
  /** `next_cursor` of the previous page; absent: start with the last `retentionSeconds`. */
  cursor: string | undefined;
  limit: number;
  /** How long an entry matters (access-token lifetime + the largest clock tolerance a verifier may use). */
  retentionSeconds: number;
}

interface EventRow {
  snapshot: string;
  id: string | null;
  xid: string | null;
  kind: 'session_revoked' | 'account_changed' | null;
  session_id: string | null;
  account_id: string | null;
  created_at: Date | string | null;
}

interface AccountRow {
  id: string;
  role: string;
  active: boolean;
  grant_version: number;
  group_name: string | null;
}

/**
 * One page of the change log of a tenant, and where to resume.
 *
 * Why nothing is ever skipped: a poll reads the events visible in the current snapshot
 * (`pg_current_snapshot()`) that were not visible in the snapshot of the previous poll, whatever
 * their order. An event of a transaction still running at the previous poll was not visible then, so
 * it comes with the first poll after it commits. (An ordinary sequence would not do: a transaction
 * that took id 5 may commit after one that took id 6 was read, and a cursor at 6 would skip it. Nor
 * would "only what is older than every running transaction": one long transaction anywhere in the
 * cluster would then hold back every revocation behind it.) Events are append-only, so "visible in a
 * snapshot" is decided by `pg_visible_in_snapshot` on the writer's transaction id, also for a snapshot
 * taken polls ago; pages of one poll are all cut from the same (pinned) snapshot.
 */
export async function readRevocationFeed(em: EntityManager, input: ReadFeedInput): Promise<RevocationFeed> {
  const cursor = input.cursor ? decodeFeedCursor(input.cursor) : startCursor;
  const rows = await em.getConnection().execute<EventRow[]>(
    `with s as (select coalesce(?::pg_snapshot, pg_current_snapshot()) as snap)
     select s.snap::text as snapshot, e.id::text as id, e.xid::text as xid, e.kind, e.session_id,
            e.account_id, e.created_at
       from s left join lateral (
         select * from revocation_event e
          where e.tenant_id = ?
            and e.xid >= ?::bigint
            and (e.xid, e.id) > (?::bigint, ?::bigint)
            and pg_visible_in_snapshot(e.xid::text::xid8, s.snap)
            and (?::pg_snapshot is null or not pg_visible_in_snapshot(e.xid::text::xid8, ?::pg_snapshot))
            and (?::pg_snapshot is not null or e.created_at >= now() - make_interval(secs => ?::float8))
          order by e.xid, e.id
          limit ?
       ) e on true`,
    [
      cursor.pinned,
      input.tenantId,
      (cursor.seen ? snapshotXmin(cursor.seen) : 0n).toString(),
      cursor.after.xid.toString(),
      cursor.after.id.toString(),
      cursor.seen,
      cursor.seen,
      cursor.seen,
      input.retentionSeconds,
      input.limit + 1,
    ],
    'all',
  );
  const snapshot = rows[0]!.snapshot;
  const events = rows.filter((row) => row.id !== null);
  const hasMore = events.length > input.limit;
  const page = hasMore ? events.slice(0, input.limit) : events;

  const sessions = new Map<string, RevokedSession>();
  const changedAt = new Map<string, Date>();
  for (const event of page) {
    const at = new Date(event.created_at!);
    if (event.kind === 'session_revoked' && event.session_id) {
      sessions.set(event.session_id, {
        session_id: event.session_id,
        account_id: event.account_id!,
        revoked_at: at.toISOString(),
      });
    } else if (event.kind === 'account_changed') {
      changedAt.set(event.account_id!, at);
    }
  }

  let next: FeedCursor;
  if (hasMore) {
    const last = page[page.length - 1]!;
    next = {
      seen: cursor.seen,
      pinned: compactSnapshot(snapshot),
      after: { xid: BigInt(last.xid!), id: BigInt(last.id!) },
    };
  } else {
    next = { seen: compactSnapshot(snapshot), pinned: null, after: { xid: 0n, id: 0n } };
  }

  return {
    tenant_id: input.tenantId,
    sessions: [...sessions.values()],
    accounts: await currentGrants(em, input.tenantId, changedAt),
    next_cursor: encodeFeedCursor(next),
    has_more: hasMore,
    retention_seconds: input.retentionSeconds,
  };
}

/** The accounts as they are now (role, active, grant version, group names sorted as tokens carry them). */
async function currentGrants(
  em: EntityManager,
  tenantId: string,
  changedAt: Map<string, Date>,
): Promise<AccountGrant[]> {
  if (changedAt.size === 0) return [];
  const ids = [...changedAt.keys()];
  const rows = await em.getConnection().execute<AccountRow[]>(
    `select a.id, a.role, a.active, a.grant_version, g.name as group_name
       from account a
       left join group_membership m on m.account_id = a.id
       left join tenant_group g on g.id = m.group_id
      where a.tenant_id = ? and a.id = any(?::uuid[])`,
    [tenantId, `{${ids.join(',')}}`],
    'all',
  );
  const found = new Map<string, AccountGrant>();
  for (const row of rows) {
    let grant = found.get(row.id);
    if (!grant) {
      grant = {
        account_id: row.id,
        active: row.active,
        deleted: false,
        roles: [row.role],
        groups: [],
        grant_version: row.grant_version,
        changed_at: changedAt.get(row.id)!.toISOString(),
      };
      found.set(row.id, grant);
    }
    if (row.group_name !== null) grant.groups.push(row.group_name);
  }
  return ids.map((id) => {
    const grant = found.get(id);
    if (!grant) {
      return {
        account_id: id,
        active: false,
        deleted: true,
        roles: [],
        groups: [],
        grant_version: 0,
        changed_at: changedAt.get(id)!.toISOString(),
      };
    }
    // The same order as loadGrant() (and so as access tokens): JavaScript's default sort.
    grant.groups.sort();
    return grant;
  });
}

/**
 * Deletes events no verifier needs any more (older than twice the retention, and at least an hour).
 * Verifiers whose cursor is older than that lose nothing that matters: every token those events could
 * affect has expired.
 */
export async function pruneRevocationEvents(em: EntityManager, retentionSeconds: number): Promise<number> {
  const result = await em
    .getConnection()
    .execute<{ affectedRows: number }>(
      'delete from revocation_event where created_at < now() - make_interval(secs => ?::float8)',
      [Math.max(2 * retentionSeconds, 3600)],
      'run',
    );
  return result.affectedRows ?? 0;
}
