import { type Refusal, refuse } from '../result.js';

/**
 * The sign-in throttle's rules, shared by the server (counters in PostgreSQL) and the mock (in memory):
 *
 * - **Account** (tenant + identifier): the first 5 failures are free; each further one blocks the account
 *   for 30 s, 60 s, 2 min ... up to 15 min (`429 rate_limited`, `Retry-After`); the 15th locks it
 *   (`403 account_locked`) until an admin unlocks it. Kept for unknown identifiers too, so the answers
 *   never tell whether an account exists.
 * - **Client address**: 100 failures per 15 minutes across all accounts, then growing delays (1 min ...
 *   1 h). No lockout: addresses are shared.
 *
 * Times are epoch milliseconds.
 */
export const ACCOUNT_FREE_FAILURES = 5;
export const ACCOUNT_LOCK_FAILURES = 15;
export const ACCOUNT_BASE_DELAY_SECONDS = 30;
export const ACCOUNT_MAX_DELAY_SECONDS = 900;
export const CLIENT_FREE_FAILURES = 100;
export const CLIENT_WINDOW_SECONDS = 900;
export const CLIENT_BASE_DELAY_SECONDS = 60;
export const CLIENT_MAX_DELAY_SECONDS = 3600;

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

/** The throttle identifier of a phone number (E.164). */
export const phoneIdentifier = (phone: string): string => `phone:${phone}`;

/**
 * The identifier a login attempt is counted under before anyone is proven: the email or the phone
 * number it names (so wrong phone codes count against that number, not only the client).
 */
export const loginIdentifier = (body: object): string | null => {
  if ('email' in body && typeof body.email === 'string') return body.email;
  if ('phone' in body && typeof body.phone === 'string') return phoneIdentifier(body.phone);
  return null;
};

/** The identifier a person's attempts are counted under once they are known: their email, else their id. */
export const personIdentifier = (person: { id: string; email?: string | null }): string =>
  person.email ?? `person:${person.id}`;

export const accountKey = (tenantId: string, identifier: string) => `account:${tenantId}:${identifier}`;
export const clientKey = (ip: string) => `client:${ip}`;

export const lockedRefusal = (): Refusal =>
  refuse(
    'account_locked',
    'Too many failed attempts: sign-in to this account is locked until an administrator unlocks it',
  );

export const delayedRefusal = (seconds: number): Refusal =>
  refuse('rate_limited', `Too many failed attempts: try again in ${seconds} seconds`, {
    'retry-after': String(seconds),
  });

/** A counter as the rules read it. */
export interface ThrottleState {
  blockedUntil: number | null;
  lockedAt: number | null;
}

/** Before a secret is checked: the refusal for a locked or delayed counter, if any. */
export function gateRefusal(state: ThrottleState | null | undefined, now: number): Refusal | undefined {
  if (state?.lockedAt != null) return lockedRefusal();
  if (state?.blockedUntil != null && state.blockedUntil > now) {
    return delayedRefusal(Math.max(1, Math.ceil((state.blockedUntil - now) / 1000)));
  }
  return undefined;
}

export type FailureOutcome = { kind: 'lock' } | { kind: 'delay'; seconds: number } | undefined;

const delaySeconds = (failures: number, free: number, base: number, max: number) =>
  Math.min(max, base * 2 ** Math.min(20, failures - free - 1));

/** What the `failures`-th counted failure does to an account: lock it, delay it, or nothing. */
export function accountFailureOutcome(failures: number, locked: boolean): FailureOutcome {
  if (locked) return undefined;
  if (failures >= ACCOUNT_LOCK_FAILURES) return { kind: 'lock' };
  if (failures <= ACCOUNT_FREE_FAILURES) return undefined;
  return {
    kind: 'delay',
    seconds: delaySeconds(
      failures,
      ACCOUNT_FREE_FAILURES,
      ACCOUNT_BASE_DELAY_SECONDS,
      ACCOUNT_MAX_DELAY_SECONDS,
    ),
  };
}

/** The delay the `failures`-th failure within the window puts on a client address, if any. */
export const clientDelaySeconds = (failures: number): number | undefined =>
  failures <= CLIENT_FREE_FAILURES
    ? undefined
    : delaySeconds(failures, CLIENT_FREE_FAILURES, CLIENT_BASE_DELAY_SECONDS, CLIENT_MAX_DELAY_SECONDS);
