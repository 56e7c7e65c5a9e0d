import { normalizePassword } from '@enforcer/contract';
import type { PasswordHasher } from '@enforcer/core';
import argon2 from 'argon2';

/**
 * argon2id with OWASP's / RFC 9106's second recommended setting: 19 MiB, 2 passes, 1 lane (about 25 ms
 * a hash on one core here). Stored as PHC strings, so raising these later only needs a rehash at the
 * next successful sign-in (`needsRehash`).
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * For test servers only (`startTestServer({ passwordHashing: 'fast' })`): still argon2id in PHC form, at the
 * smallest cost, so a test's hundreds of sign-ins do not spend seconds of CPU on hashing. Never used by
 * `pnpm start`; the production parameters are checked by test/e2e/auth-password.test.ts.
 */
export const FAST_TEST_ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 256,
  timeCost: 1,
  parallelism: 1,
} as const;

/**
 * An argon2id `PasswordHasher` (the core's port; the mock's is PBKDF2 over WebCrypto) with these parameters.
 * Passwords are compared as Unicode NFKC (NIST SP 800-63B §5.1.1.2), so the same password typed on two
 * keyboards that encode an accent differently is the same password.
 */
export function argon2idHasher(
  options: typeof ARGON2_OPTIONS | typeof FAST_TEST_ARGON2_OPTIONS,
): PasswordHasher {
  return {
    hash: (password) => argon2.hash(normalizePassword(password), options),
    /** Constant-time inside argon2; false for a malformed stored hash rather than a 500. */
    async verify(hash, password) {
      try {
        return await argon2.verify(hash, normalizePassword(password));
      } catch {
        return false;
      }
    },
    needsRehash(hash) {
      try {
        return argon2.needsRehash(hash, options);
      } catch {
        return true;
      }
    },
  };
}

/** The server's `PasswordHasher`: argon2id at ARGON2_OPTIONS. */
export const argon2Hasher: PasswordHasher = argon2idHasher(ARGON2_OPTIONS);

/** argon2id at FAST_TEST_ARGON2_OPTIONS: test servers only (one instance, so its stand-in hash is made once). */
export const fastTestArgon2Hasher: PasswordHasher = argon2idHasher(FAST_TEST_ARGON2_OPTIONS);
