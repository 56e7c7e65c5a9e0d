import type { ClientInfo } from '../caller.js';
import { type AppError, refusalError } from '../errors.js';
import { addSeconds, type Clock } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { ThrottleCounter } from './ports.js';
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
} from './rules.js';

/** Who is trying: the tenant, the identifier the attempt names (an email, a phone), and the client. */
export interface ThrottleSubject {
  tenantId: string;
  /** A lower-cased email (or another identifier); null when the method names nobody before it succeeds. */
  identifier: string | null;
  /** Its address is counted too (no address, as in the mock: no client counter). */
  client: Partial<ClientInfo>;
}

/** The stores the throttle works with: its counters and the audit log, in one unit of work. */
export type ThrottleRepositories = Pick<Repositories, 'throttle' | 'audit'>;

const state = (row: ThrottleCounter | null): ThrottleState | null =>
  row && { blockedUntil: row.blockedUntil?.getTime() ?? null, lockedAt: row.lockedAt?.getTime() ?? null };

/**
 * Brute-force protection for every secret a person types: passwords, one-time codes, TOTP and recovery
 * codes. The rules (numbers, what counts, what a failure does) are rules.ts; the two counters, per account
 * and per client address, are the `ThrottleStore`'s. Only a completed sign-in (or an unlock, or a password
 * reset) starts an account's count again; requesting a new code changes nothing.
 *
 * Each operation runs in the unit of work it is given (`repos`), or in one of its own. A sign-in passes
 * its own, so that `gate`'s lock on the account key holds until the sign-in ends (concurrent guesses
 * against one account are serialised and all counted before the next is judged); that unit of work must
 * commit even when the attempt is refused, so refusals are returned, never thrown.
 */
export class SignInThrottle {
  readonly #clock: Clock;
  readonly #uow: UnitOfWork;

  constructor(options: { clock: Clock; uow: UnitOfWork }) {
    this.#clock = options.clock;
    this.#uow = options.uow;
  }

  /** Before a secret is checked: the refusal for a locked or delayed account or client, if any. */
  gate(subject: ThrottleSubject, repos?: ThrottleRepositories): Promise<AppError | undefined> {
    return this.#within(repos, async ({ throttle }) => {
      const now = this.#clock.now().getTime();
      if (subject.identifier !== null) {
        const key = accountKey(subject.tenantId, subject.identifier);
        await throttle.lock(key);
        const refusal = gateRefusal(state(await throttle.read(key)), now);
        if (refusal) return refusalError(refusal);
      }
      if (subject.client.ip) {
        const row = state(await throttle.read(clientKey(subject.client.ip)));
        // Client addresses are never locked out, only delayed.
        const refusal = gateRefusal(row && { ...row, lockedAt: null }, now);
        if (refusal) return refusalError(refusal);
      }
      return undefined;
    });
  }

  /**
   * Counts a wrong secret (`reason`, for the audit log). Resolves to the error to answer INSTEAD of the
   * method's own when this failure started a delay or the lockout (so the client learns at once when to
   * come back), else undefined.
   */
  recordFailure(
    subject: ThrottleSubject,
    reason: string,
    repos?: ThrottleRepositories,
  ): Promise<AppError | undefined> {
    return this.#within(repos, async ({ throttle, audit }) => {
      const now = this.#clock.now();
      const event = (action: string, key: string, details: Record<string, unknown>) =>
        audit.record({
          action,
          actor: { type: 'anonymous' },
          tenantId: subject.tenantId,
          target: { type: 'throttle', id: key },
          ...subject.client,
          details: { ...details, reason },
        });
      let answer: AppError | undefined;
      const { identifier, tenantId } = subject;
      if (identifier !== null) {
        const key = accountKey(tenantId, identifier);
        const row = await throttle.countFailure({ key, kind: 'account', tenantId, identifier }, now, null);
        const { failures } = row;
        const outcome = accountFailureOutcome(failures, row.lockedAt !== null);
        if (outcome?.kind === 'lock') {
          await throttle.write(key, { blockedUntil: null, lockedAt: now }, now);
          event('auth.account.locked', key, { identifier, failures });
          answer = refusalError(lockedRefusal());
        } else if (outcome?.kind === 'delay') {
          const { seconds } = outcome;
          await throttle.write(key, { blockedUntil: addSeconds(now, seconds) }, now);
          event('auth.throttle.delayed', key, { identifier, failures, seconds });
          answer = refusalError(delayedRefusal(seconds));
        }
      }
      if (subject.client.ip) {
        const key = clientKey(subject.client.ip);
        const windowStart = addSeconds(now, -CLIENT_WINDOW_SECONDS);
        const row = await throttle.countFailure(
          { key, kind: 'client', tenantId: null, identifier: null },
          now,
          windowStart,
        );
        const seconds = clientDelaySeconds(row.failures);
        if (seconds !== undefined) {
          await throttle.write(key, { blockedUntil: addSeconds(now, seconds) }, now);
          event('auth.throttle.delayed', key, {
            client: subject.client.ip,
            failures: row.failures,
            seconds,
          });
          answer ??= refusalError(delayedRefusal(seconds));
        }
      }
      return answer;
    });
  }

  /**
   * Once a sign-in has proven who it is: is that account locked? (Methods that name nobody up front, like
   * a magic link or a passkey, are stopped here; a lockout closes every method of the account.)
   */
  lockedOut(
    tenantId: string,
    identifier: string,
    repos?: ThrottleRepositories,
  ): Promise<AppError | undefined> {
    return this.#within(repos, async ({ throttle }) => {
      const row = await throttle.read(accountKey(tenantId, identifier));
      return row?.lockedAt ? refusalError(lockedRefusal()) : undefined;
    });
  }

  /** A completed sign-in: the account's count starts again (a lockout never gets this far). */
  recordSuccess(
    subject: Pick<ThrottleSubject, 'tenantId' | 'identifier'>,
    repos?: ThrottleRepositories,
  ): Promise<void> {
    const { identifier } = subject;
    if (identifier === null) return Promise.resolve();
    return this.#within(repos, ({ throttle }) =>
      throttle.restart(accountKey(subject.tenantId, identifier), this.#clock.now()),
    );
  }

  /** Lifts the lockout and any delay of an account key (an admin's unlock), and says what was in force. */
  unlock(
    tenantId: string,
    identifier: string,
    repos?: ThrottleRepositories,
  ): Promise<{ wasLocked: boolean; wasThrottled: boolean }> {
    return this.#within(repos, async ({ throttle }) => {
      const key = accountKey(tenantId, identifier);
      await throttle.lock(key);
      const row = await throttle.read(key);
      const now = this.#clock.now();
      const wasLocked = row?.lockedAt != null;
      const wasThrottled = wasLocked || (row?.blockedUntil != null && row.blockedUntil > now);
      if (row) await throttle.clear(key, now);
      return { wasLocked, wasThrottled };
    });
  }

  #within<T>(repos: ThrottleRepositories | undefined, work: (repos: ThrottleRepositories) => Promise<T>) {
    return repos ? work(repos) : this.#uow.transaction(work);
  }
}
