import type { Clock } from '../platform.js';
import type { UnitOfWork } from '../store.js';

/**
 * Housekeeping (#15): the rows sign-in leaves behind once they can no longer matter are deleted, so a
 * deployment's tables do not grow with its traffic. Which rows, and how long after they stopped
 * mattering, is decided here once; each store deletes what the cutoffs say.
 */
export interface PurgeCutoffs {
  /**
   * One-time codes, single-use challenges and seen nonces, magic links, MFA sign-in challenges that expired
   * before this; social sign-in transactions whose exchange code (if any) expired before this too.
   */
  expiredBefore: Date;
  /** Refresh tokens that expired before this (a used one replayed after that is refused, no longer "reuse"). */
  refreshTokensExpiredBefore: Date;
  /** Sessions ended (revoked, or past their absolute expiry) before this, or unused since `sessionsIdleBefore`. */
  sessionsEndedBefore: Date;
  sessionsIdleBefore: Date;
  /** `Idempotency-Key`s past their expiry. */
  idempotencyExpiredBefore: Date;
  /** Send counters whose window started before this (the longest window is a day). */
  sendWindowsBefore: Date;
  /**
   * Throttle counters untouched since this, with no lockout and no delay in force: a client's, or an
   * account's with no failure streak; an account's streak left alone since `throttleStreaksBefore`.
   */
  throttleIdleBefore: Date;
  throttleStreaksBefore: Date;
  /** The revocation feed's events older than this (every token they could concern has expired). */
  revocationEventsBefore: Date;
}

/** How many rows each purge deleted. */
export type PurgeCounts = Record<
  | 'otpChallenges'
  | 'challenges'
  | 'magicLinks'
  | 'mfaChallenges'
  | 'oauthFlows'
  | 'refreshTokens'
  | 'sessions'
  | 'idempotencyKeys'
  | 'sendCounters'
  | 'throttle'
  | 'revocationEvents',
  number
>;

/** The port: delete what the cutoffs say, at most `limit` rows per table (a run's work stays bounded). */
export interface HousekeepingStore {
  purge(cutoffs: PurgeCutoffs, now: Date, limit: number): Promise<PurgeCounts>;
}

export interface HousekeepingSettings {
  /** A refresh token unused this long expires (`REFRESH_TOKEN_IDLE_TTL`). */
  refreshIdleTtlSeconds: number;
  /** How long the revocation feed's entries matter (access-token lifetime plus tolerance). */
  feedRetentionSeconds: number;
}

const DAY_MS = 86_400_000;
/** Expired rows are kept a day: enough to explain a support ticket about "my code did not work". */
const KEEP_EXPIRED_MS = DAY_MS;
/**
 * Ended sessions are kept 32 days, so a month's monthly-active-accounts figure still sees an account whose
 * only activity was a refresh of a session that has ended since.
 */
const KEEP_ENDED_SESSIONS_MS = 32 * DAY_MS;
const KEEP_THROTTLE_STREAK_MS = 30 * DAY_MS;
/** The longest send-limit window is a day (SMS per tenant); one more day of margin. */
const KEEP_SEND_WINDOWS_MS = 2 * DAY_MS;

export function purgeCutoffs(now: Date, settings: HousekeepingSettings): PurgeCutoffs {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  return {
    expiredBefore: ago(KEEP_EXPIRED_MS),
    refreshTokensExpiredBefore: ago(KEEP_EXPIRED_MS),
    sessionsEndedBefore: ago(KEEP_ENDED_SESSIONS_MS),
    sessionsIdleBefore: ago(settings.refreshIdleTtlSeconds * 1000 + KEEP_ENDED_SESSIONS_MS),
    idempotencyExpiredBefore: now,
    sendWindowsBefore: ago(KEEP_SEND_WINDOWS_MS),
    throttleIdleBefore: ago(DAY_MS),
    throttleStreaksBefore: ago(KEEP_THROTTLE_STREAK_MS),
    revocationEventsBefore: ago(settings.feedRetentionSeconds * 1000),
  };
}

/** Rows per table and run: a backlog drains over several runs instead of one long transaction. */
export const PURGE_BATCH = 10_000;

/** One housekeeping run: every purge, in one unit of work. */
export async function runHousekeeping(
  deps: { uow: UnitOfWork; clock: Clock },
  settings: HousekeepingSettings,
  limit = PURGE_BATCH,
): Promise<PurgeCounts> {
  const now = deps.clock.now();
  return deps.uow.transaction((repos) => repos.housekeeping.purge(purgeCutoffs(now, settings), now, limit));
}
