import type { HousekeepingStore, PurgeCounts, PurgeCutoffs } from '../../operator/housekeeping.js';
import { oauthFlowPurgeable } from '../../social-sign-in/ports.js';
import type { MemoryDatabase } from './database.js';

/** Deletes from a Map what `expired` says, at most `limit` entries; how many went. */
function purgeMap<V>(map: Map<string, V>, expired: (value: V) => boolean, limit: number): number {
  let deleted = 0;
  for (const [key, value] of map) {
    if (deleted >= limit) break;
    if (!expired(value)) continue;
    map.delete(key);
    deleted++;
  }
  return deleted;
}

const before = (at: Date | number | null | undefined, cutoff: Date) =>
  at != null && (typeof at === 'number' ? at : at.getTime()) < cutoff.getTime();

/** Housekeeping over the memory tables, with PostgreSQL's store's rules (`PurgeCutoffs`). */
export class MemoryHousekeepingStore implements HousekeepingStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async purge(cutoffs: PurgeCutoffs, now: Date, limit: number): Promise<PurgeCounts> {
    const t = this.#db.tables;
    const expired = (row: { expiresAt: Date | number }) => before(row.expiresAt, cutoffs.expiredBefore);
    const sessions = purgeMap(
      t.sessions,
      (s) =>
        before(s.revokedAt ?? s.absoluteExpiresAt, cutoffs.sessionsEndedBefore) ||
        before(s.lastUsedAt, cutoffs.sessionsIdleBefore),
      limit,
    );
    // A session's refresh tokens go with it (PostgreSQL: on delete cascade).
    const tokenGone = (token: { sessionId: string; expiresAt: Date }) =>
      !t.sessions.has(token.sessionId) || before(token.expiresAt, cutoffs.refreshTokensExpiredBefore);
    let refreshTokens = 0;
    for (const [id, token] of t.refreshTokens) {
      if (!tokenGone(token)) continue;
      if (t.sessions.has(token.sessionId) && refreshTokens >= limit) continue;
      t.refreshTokens.delete(id);
      t.refreshTokenIds.delete(token.tokenHash);
      if (t.sessions.has(token.sessionId)) refreshTokens++;
    }
    // At most `limit` of the feed's old events, like every other table (PostgreSQL's batches).
    let revocationEvents = 0;
    t.revocationEvents = t.revocationEvents.filter((e) => {
      if (revocationEvents >= limit || !before(e.createdAt, cutoffs.revocationEventsBefore)) return true;
      revocationEvents++;
      return false;
    });
    return {
      otpChallenges: purgeMap(t.otpChallenges, expired, limit),
      challenges: purgeMap(t.challenges, expired, limit),
      magicLinks: purgeMap(t.magicLinks, expired, limit),
      mfaChallenges: purgeMap(t.mfaChallenges, expired, limit),
      oauthFlows: purgeMap(t.oauthFlows, (flow) => oauthFlowPurgeable(flow, cutoffs.expiredBefore), limit),
      refreshTokens,
      sessions,
      idempotencyKeys: purgeMap(
        t.idempotencyKeys,
        (row) => before(row.expiresAt, cutoffs.idempotencyExpiredBefore),
        limit,
      ),
      sendCounters: purgeMap(t.sends, (row) => before(row.windowStart, cutoffs.sendWindowsBefore), limit),
      throttle: purgeMap(
        t.throttle,
        (row) =>
          row.lockedAt === null &&
          !(row.blockedUntil !== null && row.blockedUntil.getTime() > now.getTime()) &&
          before(row.updatedAt, cutoffs.throttleIdleBefore) &&
          (row.kind === 'client' ||
            row.failures === 0 ||
            before(row.updatedAt, cutoffs.throttleStreaksBefore)),
        limit,
      ),
      revocationEvents,
    };
  }
}
