import { MockError } from '../problem';
import type { MockStore } from '../store';

/**
 * The server's per-account sign-in throttle (server/src/domains/auth/throttle/throttle.ts), same
 * numbers: 5 free failures, then each failure blocks for 30 s, 1, 2, 4, 8, 15 min (`429 rate_limited`
 * with Retry-After, the failure that starts a delay already answers it); the 15th locks the account
 * (`403 account_locked`) until an admin unlocks it. Kept for unknown emails too. The per-client-address
 * counter (100 failures per 15 minutes) is not in the mock: it has no client addresses.
 */
export const ACCOUNT_FREE_FAILURES = 5;
export const ACCOUNT_LOCK_FAILURES = 15;
const BASE_DELAY_SECONDS = 30;
const MAX_DELAY_SECONDS = 900;

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
/** Reasons that mean a secret was checked and was wrong: only those count. */
export const countsAsGuess = (reason: string): boolean => GUESSES.has(reason);

export const accountKey = (tenantId: string, identifier: string) => `account:${tenantId}:${identifier}`;
export const personIdentifier = (person: { id: string; email: string | null }): string =>
  person.email ?? `person:${person.id}`;
export const phoneIdentifier = (phone: string): string => `phone:${phone}`;

export interface ThrottleSubject {
  tenantId: string;
  identifier: string | null;
}

const locked = () =>
  new MockError(
    'account_locked',
    'Too many failed attempts: sign-in to this account is locked until an administrator unlocks it',
  );
const delayed = (seconds: number) =>
  new MockError('rate_limited', `Too many failed attempts: try again in ${seconds} seconds`, {
    headers: { 'retry-after': String(seconds) },
  });

export class MockThrottle {
  readonly #store: MockStore;
  constructor(store: MockStore) {
    this.#store = store;
  }

  /** Before a secret is checked: the refusal to answer, if the account is locked or delayed. */
  gate(subject: ThrottleSubject): MockError | undefined {
    if (subject.identifier === null) return undefined;
    const row = this.#store.throttle.get(accountKey(subject.tenantId, subject.identifier));
    if (row?.lockedAt != null) return locked();
    const now = this.#store.now();
    if (row?.blockedUntil != null && row.blockedUntil > now) {
      return delayed(Math.max(1, Math.ceil((row.blockedUntil - now) / 1000)));
    }
    return undefined;
  }

  /** Counts a wrong secret; the error to answer instead of the method's own when a delay or the lock starts. */
  failure(subject: ThrottleSubject): MockError | undefined {
    if (subject.identifier === null) return undefined;
    const key = accountKey(subject.tenantId, subject.identifier);
    const row = this.#store.throttle.get(key) ?? { failures: 0, blockedUntil: null, lockedAt: null };
    this.#store.throttle.set(key, row);
    row.failures += 1;
    if (row.lockedAt !== null) return undefined;
    const now = this.#store.now();
    if (row.failures >= ACCOUNT_LOCK_FAILURES) {
      row.lockedAt = now;
      row.blockedUntil = null;
      return locked();
    }
    if (row.failures > ACCOUNT_FREE_FAILURES) {
      const seconds = Math.min(
        MAX_DELAY_SECONDS,
        BASE_DELAY_SECONDS * 2 ** Math.min(20, row.failures - ACCOUNT_FREE_FAILURES - 1),
      );
      row.blockedUntil = now + seconds * 1000;
      return delayed(seconds);
    }
    return undefined;
  }

  lockedOut(tenantId: string, identifier: string): MockError | undefined {
    return this.#store.throttle.get(accountKey(tenantId, identifier))?.lockedAt != null
      ? locked()
      : undefined;
  }

  success(subject: ThrottleSubject): void {
    if (subject.identifier === null) return;
    const row = this.#store.throttle.get(accountKey(subject.tenantId, subject.identifier));
    if (row && row.lockedAt === null) {
      row.failures = 0;
      row.blockedUntil = null;
    }
  }

  unlock(tenantId: string, identifier: string): { wasLocked: boolean; wasThrottled: boolean } {
    const key = accountKey(tenantId, identifier);
    const row = this.#store.throttle.get(key);
    const wasLocked = row?.lockedAt != null;
    const wasThrottled = wasLocked || (row?.blockedUntil != null && row.blockedUntil > this.#store.now());
    this.#store.throttle.delete(key);
    return { wasLocked, wasThrottled };
  }
}
