import type { StorageAdapter } from '../storage/storage';

/**
 * The browser's half of the binding of social sign-in's one-time code (#17): a random verifier drawn when
 * the flow starts, its S256 challenge sent to Enforcer, the verifier kept in this tab's storage until the
 * callback page presents it at the exchange. A code read from the redirect URL (history, `Referer`, logs) is
 * then useless to anyone without this tab's storage.
 */

const base64url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** A fresh verifier (32 random bytes, base64url: 43 characters) and its S256 challenge. */
export async function newOAuthVerifier(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  // Read through a Uint8Array: WebCrypto's ArrayBuffer may be of another realm than this one (jsdom).
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/** Where the verifier waits between the start and the callback page: one flow at a time per tab. */
export function oauthVerifierSlot(storage: StorageAdapter, key: string) {
  return {
    keep: (verifier: string) => storage.set(key, verifier),
    /** The verifier, removed: it is presented once. */
    async take(): Promise<string | null> {
      const verifier = await storage.get(key);
      await storage.remove(key);
      return verifier;
    },
  };
}
