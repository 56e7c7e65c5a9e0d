import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  timingSafeEqual,
} from 'node:crypto';
import type { RandomSource } from './random.js';

/** Purposes the master key is split into (HKDF-SHA256), so no two uses share a key. */
export type KeyPurpose =
  | 'signing-key-encryption'
  | 'refresh-token-successor'
  /** HMAC key for low-entropy secrets (6-digit OTPs, invite codes) so a database dump cannot brute-force them. */
  | 'otp-code'
  | 'secret-encryption'
  /** OAuth client secrets of the tenants' providers (AES-256-GCM, bound to tenant and provider name). */
  | 'oauth-client-secret'
  /** Webhook endpoints' `whsec_` secrets, sealed at rest (they must be recovered to sign). */
  | 'webhook-secret-encryption'
  /** The Enforcer session a Privy session maps to, when a Privy token is used as a bearer. */
  | 'privy-session'
  /** Stand-in passkey credential ids for unknown emails (`POST /auth/passkey/login/begin`). */
  | 'passkey-decoy'
  /** KYC providers' webhook secrets and API keys, sealed at rest (AES-256-GCM, as signing keys are). */
  | 'kyc-provider-secret'
  /** Tenants' SMTP passwords and queued mail (the messaging module's outbox), sealed at rest. */
  | 'messaging-secret';

/** Derives a 32-byte sub-key of the master key for one purpose (HKDF-SHA256, RFC 5869). */
export const deriveKey = (masterKey: Buffer, purpose: KeyPurpose): Buffer =>
  Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `enforcer/${purpose}/v1`, 32));

/** SHA-256 of a high-entropy secret, base64url. Enough for random tokens (>= 256 bits): no salt or KDF needed. */
export const sha256 = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('base64url');

export const hmacSha256 = (key: Buffer, value: string | Buffer): Buffer =>
  createHmac('sha256', key).update(value).digest();

/**
 * The core's `Hashing` port on node:crypto: the same digests as the core's WebCrypto default
 * (`webCryptoHashing`, which the browser mock needs), computed synchronously. WebCrypto's digest is a
 * job on libuv's thread pool per call; for the few dozen bytes of a refresh token that hop costs more
 * than the hash (a refresh hashes three times).
 */
export const nodeHashing = {
  sha256: async (value: string): Promise<string> => sha256(value),
  hmacSha256: async (key: Uint8Array, value: string): Promise<string> =>
    createHmac('sha256', key).update(value, 'utf8').digest('base64url'),
};

/** Constant-time string comparison (false on length mismatch without leaking where they differ). */
export const safeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
};

/** An AES-256-GCM ciphertext with its 12-byte IV and 16-byte authentication tag. */
export interface Sealed {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/**
 * Encrypts with AES-256-GCM under a fresh random 12-byte IV. `aad` binds the ciphertext to its context
 * (for a signing key, its kid), so a ciphertext copied onto another row fails to decrypt.
 */
export const seal = (key: Buffer, plaintext: Buffer, aad: string, random: RandomSource): Sealed => {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  const iv = random.bytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
};

/** Decrypts and authenticates; throws if the key, the AAD, the IV, the tag or the ciphertext is wrong. */
export const open = (key: Buffer, sealed: Sealed, aad: string): Buffer => {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
};
