/**
 * The platform ports every service uses. Implementations must run in Node and in browsers alike, so
 * the defaults here use WebCrypto (`globalThis.crypto`) only.
 */

/** The source of "now" for every rule, injected so tests can move time without sleeping. */
export interface Clock {
  now(): Date;
}

/** Randomness for secrets and ids, injected so tests can be deterministic where they need to be. */
export interface RandomSource {
  bytes(length: number): Uint8Array;
  uuid(): string;
}

/** Hashes of high-entropy secrets (refresh tokens): SHA-256 and HMAC-SHA256, base64url. */
export interface Hashing {
  sha256(value: string): Promise<string>;
  hmacSha256(key: Uint8Array, value: string): Promise<string>;
}

export const systemClock: Clock = { now: () => new Date() };

export const webCryptoRandom: RandomSource = {
  bytes: (length) => globalThis.crypto.getRandomValues(new Uint8Array(length)),
  uuid: () => globalThis.crypto.randomUUID(),
};

const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Imported HMAC keys, by the key bytes they came from (a service uses one or two keys for its life). */
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

export const webCryptoHashing: Hashing = {
  sha256: async (value) =>
    base64url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(value)))),
  hmacSha256: async (key, value) => {
    let imported = hmacKeys.get(key);
    if (!imported) {
      imported = globalThis.crypto.subtle.importKey(
        'raw',
        key as Uint8Array<ArrayBuffer>,
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      hmacKeys.set(key, imported);
    }
    const signature = await globalThis.crypto.subtle.sign('HMAC', await imported, encoder.encode(value));
    return base64url(new Uint8Array(signature));
  },
};

export const addSeconds = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);

/** One plain-text message. Addresses are single, already validated addresses (never a list). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative of `text` (the messaging module's templates). */
  html?: string | null;
  /** The sender, when not the deployment's (a tenant's own, from its messaging settings). */
  from?: string | null;
}

/**
 * Where mail goes (the server's SMTP or development outbox; the mock sends nothing). `send` resolves once
 * the message is accepted for delivery and rejects when it was not; callers decide what a failure means.
 */
export interface MailDelivery {
  send(message: MailMessage): Promise<void>;
}
