import { normalizePassword } from '@enforcer/contract';
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
 * Passwords are compared as Unicode NFKC (NIST SP 800-63B §5.1.1.2), so the same password typed on
 * two keyboards that encode an accent differently is the same password.
 */
export { normalizePassword };

export const hashPassword = (password: string): Promise<string> =>
  argon2.hash(normalizePassword(password), ARGON2_OPTIONS);

/** Constant-time inside argon2; false for a malformed stored hash rather than a 500. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, normalizePassword(password));
  } catch {
    return false;
  }
}

export const needsRehash = (hash: string): boolean => {
  try {
    return argon2.needsRehash(hash, ARGON2_OPTIONS);
  } catch {
    return true;
  }
};

let dummy: Promise<string> | undefined;

/**
 * Spends the time of a real verification when there is nothing to verify against (an unknown email, a
 * person without a password), so the answer's timing does not tell whether the account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= argon2.hash('enforcer-dummy-password', ARGON2_OPTIONS);
  await verifyPassword(await dummy, password);
  return false;
}
