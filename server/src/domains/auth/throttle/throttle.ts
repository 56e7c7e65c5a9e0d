import type { EntityManager } from '@mikro-orm/postgresql';
import { addSeconds, type Clock } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import type { ClientInfo } from '../../tokens/session-tokens.js';
import { AuthThrottle, type IAuthThrottle } from './entities.js';

/** Per account (tenant + identifier): failures without any delay. */
export const ACCOUNT_FREE_FAILURES = 5;
/** Per account: the failure that locks it until an admin unlocks it (three rounds of five, as seed 001). */
export const ACCOUNT_LOCK_FAILURES = 15;
/** Per account: the first delay, doubled by every further failure, up to the maximum. */
export const ACCOUNT_BASE_DELAY_SECONDS = 30;
export const ACCOUNT_MAX_DELAY_SECONDS = 900;
/** Per client address: failures allowed within the window before delays start (many people share NATs). */
export const CLIENT_FREE_FAILURES = 100;
export const CLIENT_WINDOW_SECONDS = 900;
export const CLIENT_BASE_DELAY_SECONDS = 60;
export const CLIENT_MAX_DELAY_SECONDS = 3600;

/** Who is trying: the tenant, the identifier the attempt names (email), and the client. */
export interface ThrottleSubject {
  tenantId: string;
  /** A lower-cased email (or another identifier); null when the method names nobody before it succeeds. */
  identifier: string | null;
  client: ClientInfo;
}

export type Gate = { ok: true } | { ok: false; error: AppError; reason: 'account_locked' | 'rate_limited' };

/**
 * The reasons strategies give that mean a secret was checked and was wrong: only those count. Refusals
 * that checked nothing (no live code, a burnt challenge, a method the tenant does not take) do not, so
 * they never turn into a delay that hides the real answer.
 */
const GUESSES = new Set([
  'wrong_password',
  'unknown_account',
  'no_password',
  'wrong_code',
  'wrong_code_burnt',
  'replayed_code',
  'wrong_recovery_code',
  'invalid_token',
]);
export const countsAsGuess = (reason: string): boolean => GUESSES.has(reason);

/**
 * The identifier a login attempt is counted under before anyone is proven: the email or the
 * phone number it names (so wrong phone codes count against that number, not only the client).
 */
export const loginIdentifier = (body: object): string | null => {
  if ('email' in body && typeof body.email === 'string') return body.email;
  if ('phone' in body && typeof body.phone === 'string') return phoneIdentifier(body.phone);
  return null;
};

/** The throttle identifier of a phone number (E.164). */
export const phoneIdentifier = (phone: string): string => `phone:${phone}`;

/** The identifier a person's attempts are counted under once they are known: their email, else their id. */
export const personIdentifier = (person: { id: string; email?: string | null }): string =>
  person.email ?? `person:${person.id}`;

export const accountKey = (tenantId: string, identifier: string) => `account:${tenantId}:${identifier}`;
export const clientKey = (ip: string) => `client:${ip}`;

const delaySeconds = (failures: number, free: number, base: number, max: number) =>
  Math.min(max, base * 2 ** Math.min(20, failures - free - 1));

const secondsUntil = (at: Date, now: Date) => Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));

const locked = () =>
  new AppError(
    'account_locked',
    'Too many failed attempts: sign-in to this account is locked until an administrator unlocks it',
  );

const delayed = (retryAfter: number) =>
  new AppError('rate_limited', `Too many failed attempts: try again in ${retryAfter} seconds`, {
    headers: { 'retry-after': String(retryAfter) },
  });

const UPSERT = `
  insert into auth_throttle (key, kind, tenant_id, identifier, failures, last_failure_at, updated_at)
  values (?, ?, ?, ?, 1, ?, ?)
  on conflict (key) do update set
    failures = case when ?::timestamptz is not null
                     and (auth_throttle.last_failure_at is null or auth_throttle.last_failure_at < ?::timestamptz)
                    then 1 else auth_throttle.failures + 1 end,
    last_failure_at = excluded.last_failure_at,
    updated_at = excluded.updated_at
  returning failures, blocked_until, locked_at`;

/**
 * Brute-force protection for every secret a person types: passwords, one-time codes, TOTP and recovery
 * codes. Two counters, both in PostgreSQL:
 *
 * - **Account** (`tenant`, email): the first 5 failures are free; each further one blocks the account for
 *   30 s, 60 s, 2 min ... up to 15 min (`429 rate_limited`, `Retry-After`); the 15th locks it
 *   (`403 account_locked`) until an admin calls `POST /accounts/{id}/unlock`. Only a completed sign-in (or
 *   an unlock, or a password reset) starts the count again. Kept for unknown emails too, so the answers
 *   never tell whether an account exists. Requesting a new code changes nothing here.
 * - **Client address**: 100 failures per 15 minutes across all accounts, then growing delays (1 min ...
 *   1 h). No lockout: addresses are shared.
 *
 * `gate` runs before a secret is checked and takes a transaction-scoped advisory lock on the account key,
 * so concurrent guesses against one account are serialised and all counted before the next is judged.
 * Everything runs in the caller's transaction, which must commit even when the attempt is refused.
 */
export class SignInThrottle {
  readonly #clock: Clock;

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  async gate(em: EntityManager, subject: ThrottleSubject): Promise<Gate> {
    const now = this.#clock.now();
    if (subject.identifier !== null) {
      const key = accountKey(subject.tenantId, subject.identifier);
      await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:throttle:${key}`]);
      const row = await this.#read(em, key);
      if (row?.lockedAt) return { ok: false, error: locked(), reason: 'account_locked' };
      if (row?.blockedUntil && row.blockedUntil > now) {
        return { ok: false, error: delayed(secondsUntil(row.blockedUntil, now)), reason: 'rate_limited' };
      }
    }
    if (subject.client.ip) {
      const row = await this.#read(em, clientKey(subject.client.ip));
      if (row?.blockedUntil && row.blockedUntil > now) {
        return { ok: false, error: delayed(secondsUntil(row.blockedUntil, now)), reason: 'rate_limited' };
      }
    }
    return { ok: true };
  }

  /**
   * Counts a wrong secret. Returns the error to answer INSTEAD of the method's own when this failure
   * started a delay or the lockout (so the client learns at once when to come back), else undefined.
   */
  async failure(em: EntityManager, subject: ThrottleSubject, reason: string): Promise<AppError | undefined> {
    const now = this.#clock.now();
    let answer: AppError | undefined;
    if (subject.identifier !== null) {
      const key = accountKey(subject.tenantId, subject.identifier);
      const row = await this.#count(em, key, 'account', subject, now, null);
      if (row.failures >= ACCOUNT_LOCK_FAILURES && !row.locked_at) {
        await em.execute('update auth_throttle set locked_at = ?, blocked_until = null where key = ?', [
          now,
          key,
        ]);
        recordAudit(em, this.#clock, {
          action: 'auth.account.locked',
          actor: { type: 'anonymous' },
          tenantId: subject.tenantId,
          target: { type: 'throttle', id: key },
          ...subject.client,
          details: { identifier: subject.identifier, failures: row.failures, reason },
        });
        answer = locked();
      } else if (row.failures > ACCOUNT_FREE_FAILURES && !row.locked_at) {
        const seconds = delaySeconds(
          row.failures,
          ACCOUNT_FREE_FAILURES,
          ACCOUNT_BASE_DELAY_SECONDS,
          ACCOUNT_MAX_DELAY_SECONDS,
        );
        await em.execute('update auth_throttle set blocked_until = ? where key = ?', [
          addSeconds(now, seconds),
          key,
        ]);
        recordAudit(em, this.#clock, {
          action: 'auth.throttle.delayed',
          actor: { type: 'anonymous' },
          tenantId: subject.tenantId,
          target: { type: 'throttle', id: key },
          ...subject.client,
          details: { identifier: subject.identifier, failures: row.failures, seconds, reason },
        });
        answer = delayed(seconds);
      }
    }
    if (subject.client.ip) {
      const key = clientKey(subject.client.ip);
      const windowStart = addSeconds(now, -CLIENT_WINDOW_SECONDS);
      const row = await this.#count(em, key, 'client', subject, now, windowStart);
      if (row.failures > CLIENT_FREE_FAILURES) {
        const seconds = delaySeconds(
          row.failures,
          CLIENT_FREE_FAILURES,
          CLIENT_BASE_DELAY_SECONDS,
          CLIENT_MAX_DELAY_SECONDS,
        );
        await em.execute('update auth_throttle set blocked_until = ? where key = ?', [
          addSeconds(now, seconds),
          key,
        ]);
        recordAudit(em, this.#clock, {
          action: 'auth.throttle.delayed',
          actor: { type: 'anonymous' },
          tenantId: subject.tenantId,
          target: { type: 'throttle', id: key },
          ...subject.client,
          details: { client: subject.client.ip, failures: row.failures, seconds, reason },
        });
        answer ??= delayed(seconds);
      }
    }
    return answer;
  }

  /**
   * Once a sign-in has proven who it is: is that account locked? (Methods that name nobody up front, like
   * a magic link or a passkey, are stopped here; a lockout closes every method of the account.)
   */
  async lockedOut(em: EntityManager, tenantId: string, identifier: string): Promise<AppError | undefined> {
    const row = await this.#read(em, accountKey(tenantId, identifier));
    return row?.lockedAt ? locked() : undefined;
  }

  /** A completed sign-in: the account's count starts again (a lockout never gets this far). */
  async success(em: EntityManager, subject: Pick<ThrottleSubject, 'tenantId' | 'identifier'>): Promise<void> {
    if (subject.identifier === null) return;
    await em.execute(
      'update auth_throttle set failures = 0, blocked_until = null, updated_at = ? where key = ? and locked_at is null',
      [this.#clock.now(), accountKey(subject.tenantId, subject.identifier)],
    );
  }

  /** Lifts the lockout and any delay of an account key (admin unlock). */
  async unlock(
    em: EntityManager,
    tenantId: string,
    identifier: string,
  ): Promise<{ wasLocked: boolean; wasThrottled: boolean }> {
    const key = accountKey(tenantId, identifier);
    await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:throttle:${key}`]);
    const row = await this.#read(em, key);
    const now = this.#clock.now();
    const wasLocked = row?.lockedAt != null;
    const wasThrottled = wasLocked || (row?.blockedUntil != null && row.blockedUntil > now);
    if (row) {
      await em.execute(
        'update auth_throttle set failures = 0, blocked_until = null, locked_at = null, updated_at = ? where key = ?',
        [now, key],
      );
    }
    return { wasLocked, wasThrottled };
  }

  async #read(em: EntityManager, key: string): Promise<IAuthThrottle | null> {
    return em.findOne(AuthThrottle, { key }, { disableIdentityMap: true });
  }

  async #count(
    em: EntityManager,
    key: string,
    kind: 'account' | 'client',
    subject: ThrottleSubject,
    now: Date,
    windowStart: Date | null,
  ): Promise<{ failures: number; blocked_until: Date | null; locked_at: Date | null }> {
    const rows = (await em.execute(UPSERT, [
      key,
      kind,
      kind === 'account' ? subject.tenantId : null,
      kind === 'account' ? subject.identifier : null,
      now,
      now,
      windowStart,
      windowStart,
    ])) as Array<{ failures: number; blocked_until: Date | null; locked_at: Date | null }>;
    return rows[0]!;
  }
}
