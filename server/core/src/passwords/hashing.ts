import { normalizePassword } from '@enforcer/contract';
import { base64url } from '../platform.js';
import type { PasswordHasher } from './ports.js';

const encoder = new TextEncoder();

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Compares in time independent of where the strings differ. */
function equalConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<string> {
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(normalizePassword(password)),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  const bits = await globalThis.crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    256,
  );
  return base64url(new Uint8Array(bits));
}

/** OWASP's PBKDF2-SHA256 recommendation (2023), for a browser or edge deployment of the core. */
export const PBKDF2_ITERATIONS = 600_000;
/**
 * The mock's setting: far below any production setting, on purpose. The mock's passwords protect nothing
 * (test data in memory) and tests sign in hundreds of times; the hash still has a salt and a real KDF.
 */
export const MOCK_PBKDF2_ITERATIONS = 1_000;

const PREFIX = '$pbkdf2-sha256$';

/**
 * PBKDF2-SHA256 over WebCrypto (Node and browsers): `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>`
 * (base64url, 16-byte salt, 32-byte hash). A hash with fewer iterations than `iterations` needs a rehash.
 */
export function pbkdf2PasswordHasher(options: { iterations: number }): PasswordHasher {
  const { iterations } = options;
  const parse = (hash: string) => {
    if (!hash.startsWith(PREFIX)) return null;
    const [params, salt, digest] = hash.slice(PREFIX.length).split('$');
    const count = Number(params?.startsWith('i=') ? params.slice(2) : Number.NaN);
    if (!Number.isSafeInteger(count) || count < 1 || !salt || !digest) return null;
    return { iterations: count, salt, digest };
  };
  return {
    async hash(password) {
      const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
      return `${PREFIX}i=${iterations}$${base64url(salt)}$${await derive(password, salt, iterations)}`;
    },
    async verify(hash, password) {
      const parsed = parse(hash);
      if (!parsed) return false;
      try {
        const digest = await derive(password, fromBase64url(parsed.salt), parsed.iterations);
        return equalConstantTime(digest, parsed.digest);
      } catch {
        return false;
      }
    },
    needsRehash(hash) {
      const parsed = parse(hash);
      return !parsed || parsed.iterations < iterations;
    },
  };
}

const dummies = new WeakMap<PasswordHasher, Promise<string>>();

/**
 * Spends the time of a real verification when there is nothing to verify against (an unknown email, a
 * person without a password), so the answer's timing does not tell whether the account exists.
 */
export async function verifyAgainstDummy(hasher: PasswordHasher, password: string): Promise<false> {
  let dummy = dummies.get(hasher);
  if (!dummy) {
    dummy = hasher.hash('enforcer-dummy-password');
    dummies.set(hasher, dummy);
  }
  await hasher.verify(await dummy, password);
  return false;
}
