import type { HousekeepingStore, PurgeCounts, PurgeCutoffs } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Housekeeping over PostgreSQL: one bounded `DELETE` per table (`ctid` batches of at most `limit` rows,
 * so a backlog never holds long locks), each on an index of its cutoff column.
 */
export class PostgresHousekeepingStore implements HousekeepingStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async #delete(table: string, where: string, params: unknown[], limit: number): Promise<number> {
    const rows = (await this.#em.execute(
      `with gone as (
         delete from "${table}" where ctid in (select ctid from "${table}" where ${where} limit ?) returning 1
       ) select count(*)::int as n from gone`,
      [...params, limit],
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  async purge(c: PurgeCutoffs, now: Date, limit: number): Promise<PurgeCounts> {
    // Sessions first: their refresh tokens go with them (on delete cascade), counted as sessions.
    const sessions = await this.#delete(
      'session',
      `coalesce("revoked_at", "absolute_expires_at") < ? or "last_used_at" < ?`,
      [c.sessionsEndedBefore, c.sessionsIdleBefore],
      limit,
    );
    return {
      sessions,
      refreshTokens: await this.#delete(
        'refresh_token',
        `"expires_at" < ?`,
        [c.refreshTokensExpiredBefore],
        limit,
      ),
      otpChallenges: await this.#delete('otp_challenge', `"expires_at" < ?`, [c.expiredBefore], limit),
      challenges: await this.#delete('auth_challenge', `"expires_at" < ?`, [c.expiredBefore], limit),
      magicLinks: await this.#delete('magic_link_token', `"expires_at" < ?`, [c.expiredBefore], limit),
      mfaChallenges: await this.#delete('mfa_challenge', `"expires_at" < ?`, [c.expiredBefore], limit),
      // The core's rule (`oauthFlowPurgeable`): the transaction and its exchange code, if any, both expired.
      oauthFlows: await this.#delete(
        'oauth_flow',
        `"expires_at" < ? and ("code_expires_at" is null or "code_expires_at" < ?)`,
        [c.expiredBefore, c.expiredBefore],
        limit,
      ),
      idempotencyKeys: await this.#delete(
        'idempotency_key',
        `"expires_at" < ?`,
        [c.idempotencyExpiredBefore],
        limit,
      ),
      sendCounters: await this.#delete('send_counter', `"window_start" < ?`, [c.sendWindowsBefore], limit),
      throttle: await this.#delete(
        'auth_throttle',
        `"locked_at" is null and ("blocked_until" is null or "blocked_until" <= ?) and "updated_at" < ?
         and ("kind" = 'client' or "failures" = 0 or "updated_at" < ?)`,
        [now, c.throttleIdleBefore, c.throttleStreaksBefore],
        limit,
      ),
      revocationEvents: await this.#delete(
        'revocation_event',
        `"created_at" < ?`,
        [c.revocationEventsBefore],
        limit,
      ),
    };
  }
}
