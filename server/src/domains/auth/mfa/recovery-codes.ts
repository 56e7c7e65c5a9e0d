import { base32With } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Person } from '../../../entities/accounts.js';
import { RecoveryCode } from '../../../entities/mfa.js';
import type { Clock } from '../../../lib/clock.js';
import { deriveKey, hmacSha256 } from '../../../lib/crypto.js';
import type { RandomSource } from '../../../lib/random.js';

/** Ten codes per set, as seeds 001-003 do. */
export const RECOVERY_CODE_COUNT = 10;
/** 80 random bits each: 16 characters of Crockford base32. */
export const RECOVERY_CODE_BYTES = 10;

/** Crockford's base32 in lower case: no i, l, o, u (nothing to misread). */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

const encode = (bytes: Buffer): string => base32With(ALPHABET, bytes);

/** `7k2m9xq4c8vd3hzp` → `7k2m-9xq4-c8vd-3hzp`. */
const format = (code: string) => code.match(/.{4}/g)!.join('-');

/** What people type: the contract already lower-cased it and removed dashes; i/l read as 1, o as 0. */
export const normalizeRecoveryCode = (code: string): string => code.replace(/[il]/g, '1').replace(/o/g, '0');

/**
 * Recovery codes: single use, 80 bits each, stored only as HMAC-SHA256 under the master key's
 * `otp-code` sub-key over (person id, code), so a database dump cannot test guesses and a hash is
 * useless for anyone else. A lookup by the MAC is the comparison. Regenerating replaces the whole set.
 */
export class RecoveryCodeService {
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: { masterKey: Buffer; clock: Clock; random: RandomSource }) {
    this.#key = deriveKey(options.masterKey, 'otp-code');
    this.#clock = options.clock;
    this.#random = options.random;
  }

  /** Replaces the person's codes with a fresh set; answers the codes (shown once). */
  async regenerate(em: EntityManager, personId: string): Promise<string[]> {
    await em.nativeDelete(RecoveryCode, { person: personId });
    const now = this.#clock.now();
    const codes: string[] = [];
    for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
      const code = encode(this.#random.bytes(RECOVERY_CODE_BYTES));
      codes.push(format(code));
      em.create(RecoveryCode, {
        id: this.#random.uuid(),
        person: em.getReference(Person, personId),
        codeHash: this.#mac(personId, code),
        usedAt: null,
        createdAt: now,
      });
    }
    await em.flush();
    return codes;
  }

  /** Spends a code: true once per code (the row is locked, so two uses at once cannot both pass). */
  async consume(em: EntityManager, personId: string, code: string): Promise<boolean> {
    const now = this.#clock.now();
    const updated = await em.nativeUpdate(
      RecoveryCode,
      { person: personId, codeHash: this.#mac(personId, normalizeRecoveryCode(code)), usedAt: null },
      { usedAt: now },
    );
    return updated === 1;
  }

  remaining(em: EntityManager, personId: string): Promise<number> {
    return em.count(RecoveryCode, { person: personId, usedAt: null });
  }

  #mac(personId: string, code: string): string {
    return hmacSha256(this.#key, `recovery/v1\n${personId}\n${code}`).toString('base64url');
  }
}
