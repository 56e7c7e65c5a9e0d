import { addSeconds, type Clock, type Hashing, type RandomSource, webCryptoHashing } from '../platform.js';
import { type Refusal, refuse, success } from '../result.js';
import type { OtpChallengeRecord, OtpChallengeStore, OtpScope } from './ports.js';

/** A code works this long after it was requested. */
export const OTP_TTL_SECONDS = 600;
/** Wrong codes a chain of challenges survives; the fifth wrong one burns it. */
export const OTP_MAX_ATTEMPTS = 5;
export const OTP_DIGITS = 6;
const CODE_PATTERN = new RegExp(`^\\d{${OTP_DIGITS}}$`);

/**
 * Why a code was refused (the audit log's reason; the sign-in throttle counts the wrong codes):
 * no live code for the scope, a burnt scope, a wrong code, or the wrong code that burnt the scope.
 */
export type OtpRefusalReason = 'no_live_code' | 'attempts_exceeded' | 'wrong_code' | 'wrong_code_burnt';

/** `invalid_otp`, or `otp_attempts_exceeded` with the seconds until a new code may be requested. */
export interface OtpRefusal extends Refusal {
  reason: OtpRefusalReason;
  /** Set on `otp_attempts_exceeded`: when the burnt challenge expires (the `Retry-After` header). */
  retryAfterSeconds?: number;
}

/**
 * A code's refusal as the answer's: `otp_attempts_exceeded`'s `retryAfterSeconds` becomes its `Retry-After`
 * header; the rest is kept (a sign-in proof's `reason`). Raise it with `refusalError`.
 */
export const otpRefusal = <R extends Refusal & { retryAfterSeconds?: number }>({
  retryAfterSeconds,
  ...refusal
}: R) => ({
  ...refusal,
  ...(retryAfterSeconds !== undefined && { headers: { 'retry-after': String(retryAfterSeconds) } }),
});

export interface IssuedOtp {
  /** The challenge id (audit target). */
  id: string;
  /** The code: send it, never store it. */
  code: string;
  expiresAt: Date;
}

export type OtpIssue = { ok: true; value: IssuedOtp } | OtpRefusal;
export type OtpCheck = { ok: true; value: { challengeId: string } } | OtpRefusal;

export interface OtpServiceOptions {
  store: OtpChallengeStore;
  clock: Clock;
  random: RandomSource;
  hashing?: Hashing;
  /** HMAC key of stored code hashes (the server derives it from its master key: `otp-code`). */
  codeKey: Uint8Array;
}

/** `n` uniformly distributed decimal digits from a CSPRNG (rejection sampling: no modulo bias). */
export function randomDigits(random: RandomSource, n = OTP_DIGITS): string {
  const range = 10 ** n;
  const limit = Math.floor(0x1_0000_0000 / range) * range;
  for (;;) {
    const bytes = random.bytes(4);
    const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
    if (value < limit) return String(value % range).padStart(n, '0');
  }
}

/** Compares two strings in time that depends on their length only (lengths of MACs are public). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

const invalidOtp = (reason: OtpRefusalReason): OtpRefusal => ({
  ...refuse('invalid_otp', 'The code is wrong, expired or already used'),
  reason,
});

const attemptsExceeded = (reason: OtpRefusalReason, expiresAt: Date, now: Date): OtpRefusal => ({
  ...refuse(
    'otp_attempts_exceeded',
    'Too many wrong codes: this code no longer works. Request a new one after Retry-After seconds.',
  ),
  reason,
  retryAfterSeconds: Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000)),
});

/**
 * Email and SMS one-time codes: six digits from the injected CSPRNG, valid for ten minutes, single use.
 *
 * - Only a keyed hash is stored: HMAC-SHA256 under `codeKey` over the challenge id, purpose, tenant,
 *   address and code. A database dump alone cannot test the million possible codes, and a stored hash
 *   is useless for any other address, tenant or purpose.
 * - Comparison is constant time (on the two MACs).
 * - At most one live challenge per scope (address, tenant, purpose). Requesting a new code supersedes the
 *   live one and CARRIES OVER its count of wrong tries, so asking for codes again and again does not buy
 *   more guesses: five wrong codes per chain of requests, then the chain is burnt
 *   (`otp_attempts_exceeded`, with `retryAfterSeconds`) and new requests are refused until the burnt
 *   challenge expires. An attacker gets at most five guesses in ten minutes per address and tenant.
 * - Both steps run in the store's `withScope` transaction, so two simultaneous uses of one code cannot
 *   both succeed and two wrong tries both count.
 *
 * Refusals are data: a counted wrong try is committed with the store's transaction, and each caller
 * raises the refusal in its own error type. `store` may be given per call, to join a caller's transaction.
 */
export class OtpService {
  readonly #o: OtpServiceOptions;
  readonly #hashing: Hashing;

  constructor(options: OtpServiceOptions) {
    this.#o = options;
    this.#hashing = options.hashing ?? webCryptoHashing;
  }

  /** Issues a code for `scope`; refuses with `otp_attempts_exceeded` while the scope is burnt. */
  async issue(scope: OtpScope, store = this.#o.store): Promise<OtpIssue> {
    const code = randomDigits(this.#o.random);
    const id = this.#o.random.uuid();
    // Hashed before the transaction: nothing slow happens while the scope is locked.
    const codeHash = await this.#mac(id, scope, code);
    return store.withScope(scope, async (challenges): Promise<OtpIssue> => {
      const now = this.#o.clock.now();
      const live = await challenges.live(now);
      const burnt = live.find((challenge) => challenge.attempts >= OTP_MAX_ATTEMPTS);
      if (burnt) return attemptsExceeded('attempts_exceeded', burnt.expiresAt, now);
      const carried = Math.max(0, ...live.map((challenge) => challenge.attempts));
      for (const challenge of live) await challenges.consume(challenge.id, now);
      const record: OtpChallengeRecord = {
        id,
        address: scope.address,
        tenantId: scope.tenantId,
        purpose: scope.purpose,
        codeHash,
        expiresAt: addSeconds(now, OTP_TTL_SECONDS),
        attempts: carried,
        consumedAt: null,
        createdAt: now,
      };
      await challenges.insert(record);
      return success({ id, code, expiresAt: record.expiresAt });
    });
  }

  /** Checks `code` against the live challenge of `scope`: a right code is spent, a wrong one counted. */
  verify(scope: OtpScope, code: string, store = this.#o.store): Promise<OtpCheck> {
    const presented = CODE_PATTERN.test(code) ? code : '';
    return store.withScope(scope, async (challenges): Promise<OtpCheck> => {
      const now = this.#o.clock.now();
      const [challenge] = await challenges.live(now);
      if (!challenge) return invalidOtp('no_live_code');
      if (challenge.attempts >= OTP_MAX_ATTEMPTS) {
        return attemptsExceeded('attempts_exceeded', challenge.expiresAt, now);
      }
      const actual = await this.#mac(challenge.id, scope, presented);
      if (!constantTimeEqual(challenge.codeHash, actual)) {
        const attempts = await challenges.countWrongAttempt(challenge.id);
        // A wrong code all the same (the sign-in throttle counts it), and the one that burnt the chain.
        if (attempts >= OTP_MAX_ATTEMPTS)
          return attemptsExceeded('wrong_code_burnt', challenge.expiresAt, now);
        return invalidOtp('wrong_code');
      }
      await challenges.consume(challenge.id, now);
      return success({ challengeId: challenge.id });
    });
  }

  #mac(challengeId: string, scope: OtpScope, code: string): Promise<string> {
    return this.#hashing.hmacSha256(
      this.#o.codeKey,
      ['otp/v1', challengeId, scope.purpose, scope.tenantId ?? '-', scope.address, code].join('\n'),
    );
  }
}
