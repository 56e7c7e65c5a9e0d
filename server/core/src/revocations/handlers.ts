import type {
  AccountGrant,
  ApplicationGrant,
  contract,
  RevocationFeed,
  RevokedClientTokenEntry,
  RevokedSession,
} from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import type { Repositories, UnitOfWork } from '../store.js';
import {
  compactSnapshot,
  decodeFeedCursor,
  encodeFeedCursor,
  type FeedCursor,
  startCursor,
} from './cursor.js';

/** The largest clock tolerance an `@enforcer/node-verifier` accepts (its `clockTolerance` option). */
export const MAX_VERIFIER_CLOCK_TOLERANCE_SECONDS = 60;
const PRUNE_EVERY_MS = 60_000;

/** How long a feed entry matters: an access token's lifetime plus the largest clock tolerance a verifier may use. */
export const feedRetentionSeconds = (accessTtlSeconds: number, clockToleranceSeconds: number): number =>
  accessTtlSeconds + Math.max(clockToleranceSeconds, MAX_VERIFIER_CLOCK_TOLERANCE_SECONDS);

export interface RevocationsDeps {
  uow: UnitOfWork;
  retentionSeconds: number;
  /** Hears of a failed background prune (nobody waits for it). */
  onPruneError?: (error: unknown) => void;
}

/**
 * `GET /revocations`: one page of the tenant's change log, and where to resume.
 *
 * Why nothing is ever skipped: a poll reads the events committed in the store's current snapshot that were
 * not committed in the snapshot of the previous poll, whatever their order. An event of a transaction still
 * running at the previous poll was not visible then, so it comes with the first poll after it commits. (An
 * ordinary sequence would not do: a transaction that took id 5 may commit after one that took id 6 was read,
 * and a cursor at 6 would skip it. Nor would "only what is older than every running transaction": one long
 * transaction anywhere would then hold back every revocation behind it.) Pages of one poll are all cut from
 * the same (pinned) snapshot. Also prunes old events, at most once a minute per process.
 */
export const revocationsHandlers = (deps: RevocationsDeps): Handlers<typeof contract.revocations> => {
  const { uow, retentionSeconds } = deps;
  let lastPrune = 0;
  return {
    feed: async ({ query }, ctx) => {
      const { tenantId } = callerOf(ctx);
      const cursor = query.cursor ? decodeFeedCursor(query.cursor) : startCursor;
      const body = await uow.read((repos) =>
        readFeed(repos, tenantId, cursor, query.limit, retentionSeconds),
      );
      const now = Date.now();
      if (now - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = now;
        // Events no verifier needs any more: older than twice the retention, and at least an hour. A verifier
        // whose cursor is older loses nothing that matters: every token those events could affect has expired.
        uow
          .transaction((repos) => repos.revocations.prune(Math.max(2 * retentionSeconds, 3600)))
          .catch((error: unknown) => deps.onPruneError?.(error));
      }
      return { status: 200, body };
    },
  };
};

async function readFeed(
  repos: Repositories,
  tenantId: string,
  cursor: FeedCursor,
  limit: number,
  retentionSeconds: number,
): Promise<RevocationFeed> {
  const { snapshot, events } = await repos.revocations.read({
    tenantId,
    snapshot: cursor.pinned,
    seen: cursor.seen,
    retentionSeconds,
    after: cursor.after,
    limit: limit + 1,
  });
  const hasMore = events.length > limit;
  const page = hasMore ? events.slice(0, limit) : events;

  const sessions = new Map<string, RevokedSession>();
  const changedAt = new Map<string, Date>();
  const clientTokens = new Map<string, RevokedClientTokenEntry>();
  const applicationsChangedAt = new Map<string, Date>();
  for (const event of page) {
    if (event.kind === 'session_revoked' && event.sessionId && event.accountId) {
      sessions.set(event.sessionId, {
        session_id: event.sessionId,
        account_id: event.accountId,
        revoked_at: event.createdAt.toISOString(),
      });
    } else if (event.kind === 'account_changed' && event.accountId) {
      changedAt.set(event.accountId, event.createdAt);
    } else if (event.kind === 'client_token_revoked' && event.jti) {
      clientTokens.set(event.jti, {
        jti: event.jti,
        client_id: event.clientId ?? '',
        revoked_at: event.createdAt.toISOString(),
      });
    } else if (event.kind === 'application_changed' && event.clientId) {
      applicationsChangedAt.set(event.clientId, event.createdAt);
    }
  }

  const last = page.at(-1);
  const next: FeedCursor =
    hasMore && last
      ? { seen: cursor.seen, pinned: compactSnapshot(snapshot), after: { xid: last.xid, id: last.id } }
      : { seen: compactSnapshot(snapshot), pinned: null, after: { xid: 0n, id: 0n } };

  return {
    tenant_id: tenantId,
    sessions: [...sessions.values()],
    accounts: await currentGrants(repos, tenantId, changedAt),
    client_tokens: [...clientTokens.values()],
    applications: await currentApplications(repos, tenantId, applicationsChangedAt),
    next_cursor: encodeFeedCursor(next),
    has_more: hasMore,
    retention_seconds: retentionSeconds,
  };
}

/** The changed accounts as they are now; one that no longer exists is `deleted`. */
async function currentGrants(
  repos: Repositories,
  tenantId: string,
  changedAt: Map<string, Date>,
): Promise<AccountGrant[]> {
  if (changedAt.size === 0) return [];
  const ids = [...changedAt.keys()];
  const states = new Map(
    (await repos.revocations.accountStates(tenantId, ids)).map((state) => [state.accountId, state]),
  );
  return ids.map((id) => {
    const state = states.get(id);
    const changed_at = changedAt.get(id)!.toISOString();
    if (!state) {
      return {
        account_id: id,
        active: false,
        deleted: true,
        roles: [],
        groups: [],
        grant_version: 0,
        changed_at,
      };
    }
    return {
      account_id: id,
      active: state.active,
      deleted: false,
      roles: state.roles,
      groups: state.groups,
      grant_version: state.grantVersion,
      changed_at,
    };
  });
}

/** The changed applications as they are now (#18); one that no longer exists (or is not the tenant's) is `deleted`. */
async function currentApplications(
  repos: Repositories,
  tenantId: string,
  changedAt: Map<string, Date>,
): Promise<ApplicationGrant[]> {
  const out: ApplicationGrant[] = [];
  for (const [clientId, at] of changedAt) {
    const app = await repos.applications.findByClientId(clientId);
    const live = app !== null && app.tenantId === tenantId;
    out.push({
      client_id: clientId,
      deleted: !live,
      scopes: live ? [...app.scopes] : [],
      changed_at: at.toISOString(),
    });
  }
  return out;
}
