/** WebCrypto helpers (browsers and Node alike): the mock runs wherever MSW does. */

import { base64url } from '@enforcer/core';

// One base64url for every side.
export { base64url } from '@enforcer/core';

const encoder = new TextEncoder();

export const randomBytes = (length: number): Uint8Array => crypto.getRandomValues(new Uint8Array(length));
export const randomToken = (length: number): string => base64url(randomBytes(length));
export const uuid = (): string => crypto.randomUUID();

export async function sha256(text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))));
}

export async function hmacSha256(key: CryptoKey, text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text))));
}

export const hmacKey = (): Promise<CryptoKey> =>
  crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) as Promise<CryptoKey>;
