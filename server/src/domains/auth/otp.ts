import { timingSafeEqual } from 'node:crypto';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { addSeconds, type Clock } from '../../lib/clock.js';
import { deriveKey, hmacSha256 } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';
import type { RandomSource } from '../../lib/random.js';
import { Tenant } from '../tenants/entities.js';
import { type IOtpChallenge, OtpChallenge } from './entities.js';

/** A code works this long after it was requested. */
export const OTP_TTL_SECONDS = 600;
/** Wrong codes a challenge survives; the fifth wrong one burns it. */
export const OTP_MAX_ATTEMPTS = 5;
export const OTP_DIGITS = 6;

/**
 * What a code is for. `login`: signing in to one tenant (requested with a tenant code).
 * `verify_email`: proving an email only (requested without one; `POST /tenants/self-serve` takes it).
 * `password_reset`: setting a new password (`POST /auth/password/reset/confirm`, per tenant).
 */
export type OtpPurpose = 'login' | 'verify_email' | 'password_reset' | PhoneOtpPurpose;
/**
 * Codes sent by SMS reuse the same rules; the scope's `email` then holds the E.164 number (the purpose keeps
 * the two apart). `phone_login`: signing in to one tenant; `verify_phone`: proving the number (linking).
 */
export type PhoneOtpPurpose = 'phone_login' | 'verify_phone';

/** A code is bound to all three: a code for one tenant (or purpose, or email) never works for another. */
export interface OtpScope {
  email: string;
  tenantId: string | null;
  purpose: OtpPurpose;
}

export type OtpCheck =
  | { ok: true; challenge: IOtpChallenge }
  | { ok: false; error: AppError; reason: string };

const invalidOtp = () => new AppError('invalid_otp', 'The code is wrong, expired or already used');

const attemptsExceeded = (retryAfterSeconds: number) =>
  new AppError(
    'otp_attempts_exceeded',
    'Too many wrong codes: this code no longer works. Request a new one after Retry-After seconds.',
    { headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) } },
  );

/** `n` uniformly distributed decimal digits from a CSPRNG (rejection sampling: no modulo bias). */
export function randomDigits(random: RandomSource, n = OTP_DIGITS): string {
  const range = 10 ** n;
  const limit = Math.floor(0x1_0000_0000 / range) * range;
  for (;;) {
    const value = random.bytes(4).readUInt32BE(0);
    if (value < limit) return String(value % range).padStart(n, '0');
  }
}

/**
 * Email one-time codes: six digits from the injected CSPRNG, valid for ten minutes, single use.
 *
 * - Only a keyed hash is stored: HMAC-SHA256 under a key derived from the master key (`otp-code`) over
 *   the challenge id, purpose, tenant, email and code. A database dump alone cannot test the million
 *   possible codes, and a stored hash is useless for any other email, tenant or purpose.
 * - Comparison is constant time (`timingSafeEqual` on the two MACs).
 * - At most one live challenge per (email, tenant, purpose). Requesting a new code supersedes the live
 *   one and CARRIES OVER its count of wrong tries, so asking for codes again and again does not buy more
 *   guesses: five wrong codes per chain of requests, then the chain is burnt (`otp_attempts_exceeded`,
 *   429) and new requests are refused until the burnt challenge expires (`Retry-After`). An attacker gets
 *   at most five guesses in ten minutes per email and tenant.
 * - Concurrency: issuing takes a transaction-scoped advisory lock on the scope; verifying locks the
 *   challenge row (`FOR UPDATE`), so two simultaneous uses of one code cannot both succeed and two wrong
 *   tries both count.
 *
 * Both methods run in the caller's transaction. `verify` RETURNS failures instead of throwing, because the
 * counted attempt must be committed: commit, then throw `error`.
 */
export class OtpService {
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: { masterKey: Buffer; clock: Clock; random: RandomSource }) {
    this.#key = deriveKey(options.masterKey, 'otp-code');
    this.#clock = options.clock;
    this.#random = options.random;
  }

  /** Issues a code for `scope` (throws `otp_attempts_exceeded` while the scope is burnt). */
  async issue(em: EntityManager, scope: OtpScope): Promise<{ code: string; expiresAt: Date; id: string }> {
    await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [lockKey(scope)]);
    const now = this.#clock.now();
    const live = await em.find(OtpChallenge, this.#liveFilter(scope, now), {
      lockMode: LockMode.PESSIMISTIC_WRITE,
    });
    const burnt = live.find((challenge) => challenge.attempts >= OTP_MAX_ATTEMPTS);
    if (burnt) throw attemptsExceeded(secondsUntil(burnt.expiresAt, now));
    const carried = Math.max(0, ...live.map((challenge) => challenge.attempts));
    for (const challenge of live) challenge.consumedAt = now;

    const code = randomDigits(this.#random);
    const id = this.#random.uuid();
    const expiresAt = addSeconds(now, OTP_TTL_SECONDS);
    em.create(OtpChallenge, {
      id,
      email: scope.email,
      tenant: scope.tenantId ? em.getReference(Tenant, scope.tenantId) : null,
      purpose: scope.purpose,
      codeHash: this.#mac(id, scope, code).toString('base64url'),
      expiresAt,
      attempts: carried,
      consumedAt: null,
      createdAt: now,
    });
    await em.flush();
    return { code, expiresAt, id };
  }

  /** Checks `code` against the live challenge of `scope`; a right code is spent, a wrong one counted. */
  async verify(em: EntityManager, scope: OtpScope, code: string): Promise<OtpCheck> {
    const now = this.#clock.now();
    const challenge = await em.findOne(OtpChallenge, this.#liveFilter(scope, now), {
      orderBy: { createdAt: 'desc' },
      lockMode: LockMode.PESSIMISTIC_WRITE,
    });
    if (!challenge) return { ok: false, error: invalidOtp(), reason: 'no_live_code' };
    if (challenge.attempts >= OTP_MAX_ATTEMPTS) {
      return {
        ok: false,
        error: attemptsExceeded(secondsUntil(challenge.expiresAt, now)),
        reason: 'attempts_exceeded',
      };
    }
    const expected = Buffer.from(challenge.codeHash, 'base64url');
    const actual = this.#mac(challenge.id, scope, /^\d{6}$/.test(code) ? code : '');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      challenge.attempts += 1;
      await em.flush();
      if (challenge.attempts >= OTP_MAX_ATTEMPTS) {
        return {
          ok: false,
          error: attemptsExceeded(secondsUntil(challenge.expiresAt, now)),
          // A wrong code all the same (the sign-in throttle counts it), and the one that burnt the chain.
          reason: 'wrong_code_burnt',
        };
      }
      return { ok: false, error: invalidOtp(), reason: 'wrong_code' };
    }
    challenge.consumedAt = now;
    await em.flush();
    return { ok: true, challenge };
  }

  #liveFilter(scope: OtpScope, now: Date) {
    return {
      email: scope.email,
      tenant: scope.tenantId,
      purpose: scope.purpose,
      consumedAt: null,
      expiresAt: { $gt: now },
    };
  }

  #mac(challengeId: string, scope: OtpScope, code: string): Buffer {
    return hmacSha256(
      this.#key,
      ['otp/v1', challengeId, scope.purpose, scope.tenantId ?? '-', scope.email, code].join('\n'),
    );
  }
}

const lockKey = (scope: OtpScope) => `enforcer:otp:${scope.purpose}:${scope.tenantId ?? '-'}:${scope.email}`;

const secondsUntil = (at: Date, now: Date) => Math.ceil((at.getTime() - now.getTime()) / 1000);
