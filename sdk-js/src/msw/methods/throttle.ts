import {
  accountFailureOutcome,
  accountKey,
  delayedRefusal,
  gateRefusal,
  lockedRefusal,
} from '@enforcer/core';
import { type MockError, refusalError } from '../problem';
import type { MockStore } from '../store';

/**
 * The sign-in throttle over the mock's counters, with the core's rules (the server's numbers). The
 * per-client-address counter is not in the mock: it has no client addresses.
 */
export interface ThrottleSubject {
  tenantId: string;
  identifier: string | null;
}

export class MockThrottle {
  readonly #store: MockStore;
  constructor(store: MockStore) {
    this.#store = store;
  }

  /** Before a secret is checked: the refusal to answer, if the account is locked or delayed. */
  gate(subject: ThrottleSubject): MockError | undefined {
    if (subject.identifier === null) return undefined;
    const refusal = gateRefusal(
      this.#store.throttle.get(accountKey(subject.tenantId, subject.identifier)),
      this.#store.now(),
    );
    return refusal && refusalError(refusal);
  }

  /** Counts a wrong secret; the error to answer instead of the method's own when a delay or the lock starts. */
  failure(subject: ThrottleSubject): MockError | undefined {
    if (subject.identifier === null) return undefined;
    const key = accountKey(subject.tenantId, subject.identifier);
    const row = this.#store.throttle.get(key) ?? { failures: 0, blockedUntil: null, lockedAt: null };
    this.#store.throttle.set(key, row);
    row.failures += 1;
    const outcome = accountFailureOutcome(row.failures, row.lockedAt !== null);
    if (outcome?.kind === 'lock') {
      row.lockedAt = this.#store.now();
      row.blockedUntil = null;
      return refusalError(lockedRefusal());
    }
    if (outcome?.kind === 'delay') {
      row.blockedUntil = this.#store.now() + outcome.seconds * 1000;
      return refusalError(delayedRefusal(outcome.seconds));
    }
    return undefined;
  }

  lockedOut(tenantId: string, identifier: string): MockError | undefined {
    return this.#store.throttle.get(accountKey(tenantId, identifier))?.lockedAt != null
      ? refusalError(lockedRefusal())
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
