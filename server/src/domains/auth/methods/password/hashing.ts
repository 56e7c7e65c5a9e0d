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
 * The server's `PasswordHasher` (the core's port; the mock's is PBKDF2 over WebCrypto). Passwords are
 * compared as Unicode NFKC (NIST SP 800-63B §5.1.1.2), so the same password typed on two keyboards that
 * encode an accent differently is the same password.
 */
export const argon2Hasher: PasswordHasher = {
  hash: (password) => argon2.hash(normalizePassword(password), ARGON2_OPTIONS),
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
      return argon2.needsRehash(hash, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  },
};
