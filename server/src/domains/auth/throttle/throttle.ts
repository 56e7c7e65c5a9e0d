import {
  accountFailureOutcome,
  accountKey,
  CLIENT_WINDOW_SECONDS,
  clientDelaySeconds,
  clientKey,
  delayedRefusal,
  gateRefusal,
  lockedRefusal,
  type ThrottleState,
} from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { addSeconds, type Clock } from '../../../lib/clock.js';
import { type AppError, refusalError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import type { ClientInfo } from '../../tokens/session-tokens.js';
import { AuthThrottle, type IAuthThrottle } from './entities.js';

/** Who is trying: the tenant, the identifier the attempt names (email), and the client. */
export interface ThrottleSubject {
  tenantId: string;
  /** A lower-cased email (or another identifier); null when the method names nobody before it succeeds. */
  identifier: string | null;
  client: ClientInfo;
}

export type Gate = { ok: true } | { ok: false; error: AppError; reason: 'account_locked' | 'rate_limited' };

const state = (row: IAuthThrottle | null): ThrottleState | null =>
  row && { blockedUntil: row.blockedUntil?.getTime() ?? null, lockedAt: row.lockedAt?.getTime() ?? null };

const refused = (refusal: ReturnType<typeof gateRefusal>): Gate =>
  refusal
    ? { ok: false, error: refusalError(refusal), reason: refusal.code as 'account_locked' | 'rate_limited' }
    : { ok: true };

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
 * codes. The rules (numbers, what counts, what a failure does) are the core's (throttle/rules.ts); the two
 * counters, per account and per client address, live in PostgreSQL. Only a completed sign-in (or an
 * unlock, or a password reset) starts an account's count again; requesting a new code changes nothing.
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
      const gate = refused(gateRefusal(state(await this.#read(em, key)), now.getTime()));
      if (!gate.ok) return gate;
    }
    if (subject.client.ip) {
      const row = state(await this.#read(em, clientKey(subject.client.ip)));
      // Client addresses are never locked out, only delayed.
      return refused(gateRefusal(row && { ...row, lockedAt: null }, now.getTime()));
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
      const outcome = accountFailureOutcome(row.failures, row.locked_at !== null);
      if (outcome?.kind === 'lock') {
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
        answer = refusalError(lockedRefusal());
      } else if (outcome?.kind === 'delay') {
        const { seconds } = outcome;
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
        answer = refusalError(delayedRefusal(seconds));
      }
    }
    if (subject.client.ip) {
      const key = clientKey(subject.client.ip);
      const windowStart = addSeconds(now, -CLIENT_WINDOW_SECONDS);
      const row = await this.#count(em, key, 'client', subject, now, windowStart);
      const seconds = clientDelaySeconds(row.failures);
      if (seconds !== undefined) {
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
        answer ??= refusalError(delayedRefusal(seconds));
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
    return row?.lockedAt ? refusalError(lockedRefusal()) : undefined;
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
