import {
  type FeedAccountState,
  type FeedQuery,
  type RevocationEventKind,
  type RevocationEventRecord,
  type RevocationFeedStore,
  snapshotXmin,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';

interface EventRow {
  snapshot: string;
  id: string | null;
  xid: string | null;
  tenant_id: string | null;
  kind: RevocationEventKind | null;
  session_id: string | null;
  account_id: string | null;
  client_id: string | null;
  jti: string | null;
  created_at: Date | string | null;
}

interface AccountRow {
  id: string;
  roles: string[];
  active: boolean;
  grant_version: number;
  group_name: string | null;
}

/**
 * The feed's log in `revocation_event` (written by triggers: see the migration `revocation_feed` and
 * domains/revocations/entities.ts). Snapshots are PostgreSQL's own (`pg_current_snapshot()`), and "committed
 * in a snapshot" is `pg_visible_in_snapshot` on the writer's transaction id, also for a snapshot taken polls
 * ago (events are append-only).
 */
export class PostgresRevocationFeed implements RevocationFeedStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async read(query: FeedQuery): Promise<{ snapshot: string; events: RevocationEventRecord[] }> {
    const rows = await this.#em.getConnection().execute<EventRow[]>(
      `with s as (select coalesce(?::pg_snapshot, pg_current_snapshot()) as snap)
       select s.snap::text as snapshot, e.id::text as id, e.xid::text as xid, e.tenant_id, e.kind,
              e.session_id, e.account_id, e.client_id, e.jti, e.created_at
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
        query.snapshot,
        query.tenantId,
        // Everything before `seen`'s xmin was read: lets the index skip it.
        (query.seen ? snapshotXmin(query.seen) : 0n).toString(),
        query.after.xid.toString(),
        query.after.id.toString(),
        query.seen,
        query.seen,
        query.seen,
        query.retentionSeconds,
        query.limit,
      ],
      'all',
    );
    return {
      snapshot: rows[0]!.snapshot,
      events: rows
        .filter((row) => row.id !== null)
        .map((row) => ({
          id: BigInt(row.id!),
          xid: BigInt(row.xid!),
          tenantId: row.tenant_id!,
          kind: row.kind!,
          sessionId: row.session_id,
          accountId: row.account_id,
          clientId: row.client_id,
          jti: row.jti,
          createdAt: new Date(row.created_at!),
        })),
    };
  }

  async accountStates(tenantId: string, accountIds: string[]): Promise<FeedAccountState[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.#em.getConnection().execute<AccountRow[]>(
      `select a.id, a.roles, a.active, a.grant_version, g.name as group_name
         from account a
         left join group_membership m on m.account_id = a.id
         left join tenant_group g on g.id = m.group_id
        where a.tenant_id = ? and a.id = any(?::uuid[])`,
      [tenantId, `{${accountIds.join(',')}}`],
      'all',
    );
    const found = new Map<string, FeedAccountState>();
    for (const row of rows) {
      let state = found.get(row.id);
      if (!state) {
        state = {
          accountId: row.id,
          active: row.active,
          roles: [...row.roles],
          groups: [],
          grantVersion: row.grant_version,
        };
        found.set(row.id, state);
      }
      if (row.group_name !== null) state.groups.push(row.group_name);
    }
    // The same order as loadGrant() (and so as access tokens): JavaScript's default sort.
    for (const state of found.values()) state.groups.sort();
    return [...found.values()];
  }

  async prune(seconds: number): Promise<number> {
    const result = await this.#em
      .getConnection()
      .execute<{ affectedRows: number }>(
        'delete from revocation_event where created_at < now() - make_interval(secs => ?::float8)',
        [seconds],
        'run',
      );
    return result.affectedRows ?? 0;
  }
}
