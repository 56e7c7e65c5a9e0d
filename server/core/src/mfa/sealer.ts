import { base64url, type RandomSource, webCryptoRandom } from '../platform.js';

/**
 * Encryption of secrets at rest (TOTP secrets): AES-256-GCM, the associated data binding a sealed value to
 * its owner (a value copied to another row does not open). A platform port: the server seals under a
 * sub-key of its master key, the memory store under a key of its own.
 */
export interface SecretSealer {
  seal(plaintext: string, associatedData: string): Promise<string>;
  /** Throws when the key, the associated data or the value is wrong. */
  open(sealed: string, associatedData: string): Promise<string>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/**
 * A `SecretSealer` with WebCrypto under a 32-byte key: base64url(iv ‖ tag ‖ ciphertext), the server's
 * layout, so either side opens the other's values under the same key.
 */
export function webCryptoSealer(
  key: Uint8Array = webCryptoRandom.bytes(32),
  random: RandomSource = webCryptoRandom,
): SecretSealer {
  const imported = globalThis.crypto.subtle.importKey('raw', key as BufferSource, 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  return {
    async seal(plaintext, associatedData) {
      const iv = random.bytes(IV_BYTES);
      const out = new Uint8Array(
        await globalThis.crypto.subtle.encrypt(
          { name: 'AES-GCM', iv: iv as BufferSource, additionalData: encoder.encode(associatedData) },
          await imported,
          encoder.encode(plaintext),
        ),
      );
      // WebCrypto appends the tag; the stored layout puts it before the ciphertext.
      const split = out.length - TAG_BYTES;
      const sealed = new Uint8Array(out.length + IV_BYTES);
      sealed.set(iv, 0);
      sealed.set(out.subarray(split), IV_BYTES);
      sealed.set(out.subarray(0, split), IV_BYTES + TAG_BYTES);
      return base64url(sealed);
    },
    async open(sealed, associatedData) {
      const raw = fromBase64url(sealed);
      const iv = raw.subarray(0, IV_BYTES);
      const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
      const body = new Uint8Array(raw.length - IV_BYTES);
      body.set(raw.subarray(IV_BYTES + TAG_BYTES), 0);
      body.set(tag, raw.length - IV_BYTES - TAG_BYTES);
      const plain = await globalThis.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: iv as BufferSource, additionalData: encoder.encode(associatedData) },
        await imported,
        body as BufferSource,
      );
      return new TextDecoder().decode(plain);
    },
  };
}
