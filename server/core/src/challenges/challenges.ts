import type { Clock, Hashing, RandomSource } from '../platform.js';
import { addSeconds, base64url, webCryptoHashing } from '../platform.js';
import type { ChallengeLookup, ChallengePurpose, ChallengeRecord, ChallengeStore } from './ports.js';

/** Challenges and nonces carry at least this much randomness. */
export const CHALLENGE_BYTES = 32;

/** SHA-256 as lowercase hex: how a challenge's value is kept (stored data; the format stays). */
export async function challengeHash(hashing: Hashing, value: string): Promise<string> {
  const binary = atob((await hashing.sha256(value)).replace(/-/g, '+').replace(/_/g, '/'));
  let hex = '';
  for (let i = 0; i < binary.length; i += 1) hex += binary.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

export interface IssuedChallenge {
  id: string;
  /** The value to hand to the client: base64url (passkeys) or hex (SIWE nonces, alphanumeric). */
  value: string;
  expiresAt: Date;
}

/**
 * Server-side single-use challenges (WebAuthn challenges, SIWE nonces) and once-only nonces (Google),
 * over a `ChallengeStore` in the caller's unit of work. A consumed, expired or foreign (other tenant,
 * other person, other purpose) challenge is refused alike: `consume*` answers null.
 */
export class Challenges {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #hashing: Hashing;

  constructor(options: { clock: Clock; random: RandomSource; hashing?: Hashing }) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#hashing = options.hashing ?? webCryptoHashing;
  }

  async issue(
    store: ChallengeStore,
    input: {
      purpose: ChallengePurpose;
      ttlSeconds: number;
      encoding: 'base64url' | 'hex';
      tenantId?: string | null;
      personId?: string | null;
      data?: Record<string, unknown> | null;
    },
  ): Promise<IssuedChallenge> {
    const now = this.#clock.now();
    await store.sweep(addSeconds(now, -86_400));
    const bytes = this.#random.bytes(CHALLENGE_BYTES);
    const value = input.encoding === 'hex' ? hex(bytes) : base64url(bytes);
    const record: ChallengeRecord = {
      id: this.#random.uuid(),
      purpose: input.purpose,
      valueHash: await challengeHash(this.#hashing, value),
      tenantId: input.tenantId ?? null,
      personId: input.personId ?? null,
      data: input.data ?? null,
      expiresAt: addSeconds(now, input.ttlSeconds),
      consumedAt: null,
      createdAt: now,
    };
    // 32 random bytes do not collide; a false here would be a broken random source.
    if (!(await store.insert(record))) throw new Error('challenge: value collision');
    return { id: record.id, value, expiresAt: record.expiresAt };
  }

  /** Spends the live challenge `id` of this purpose (and tenant, and person when given), or null. */
  consumeById(
    store: ChallengeStore,
    id: string,
    scope: Omit<ChallengeLookup, 'by'>,
  ): Promise<ChallengeRecord | null> {
    return store.consume({ ...scope, by: { id } }, this.#clock.now());
  }

  /** Spends the live challenge whose value is `value` (a SIWE nonce), or null. */
  async consumeByValue(
    store: ChallengeStore,
    value: string,
    scope: Omit<ChallengeLookup, 'by' | 'personId'>,
  ): Promise<ChallengeRecord | null> {
    const valueHash = await challengeHash(this.#hashing, value);
    return store.consume({ ...scope, by: { valueHash } }, this.#clock.now());
  }

  /**
   * Records a client-chosen nonce as seen (until `expiresAt`); false when it was seen before. The Google
   * nonce of an ID token is accepted once, so the token cannot be replayed.
   */
  async recordOnce(
    store: ChallengeStore,
    value: string,
    input: { purpose: ChallengePurpose; tenantId: string | null; expiresAt: Date },
  ): Promise<boolean> {
    const now = this.#clock.now();
    return store.insert({
      id: this.#random.uuid(),
      purpose: input.purpose,
      valueHash: await challengeHash(this.#hashing, value),
      tenantId: input.tenantId,
      personId: null,
      data: null,
      expiresAt: input.expiresAt,
      consumedAt: now,
      createdAt: now,
    });
  }
}
