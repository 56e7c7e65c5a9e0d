/**
 * TOTP (RFC 6238) as every authenticator app does it: HMAC-SHA1, 6 digits, 30-second steps, one step
 * either side of now, with WebCrypto (so the same code runs in the server and in the MSW mock). Checked
 * against otplib in `totp.test.ts`.
 */

/** Seconds per time step. */
export const TOTP_PERIOD_SECONDS = 30;
/** Codes of the previous and the next step are accepted too (clock drift, a code typed at the boundary). */
export const TOTP_TOLERANCE_STEPS = 1;
/** 160-bit secrets (RFC 4226 §4 recommends at least 128, 160 is what SHA-1 HMAC keys want). */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (what otpauth URIs and authenticator apps take). */
export const base32 = (bytes: Uint8Array): string => base32With(BASE32, bytes);

/** Base32 in a 32-character alphabet (RFC 4648's, Crockford's for recovery codes), without padding. */
export function base32With(alphabet: string, bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** The code of one time step of a base32 secret. */
export async function totpCode(secret: string, step: number): Promise<string> {
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    fromBase32(secret) as BufferSource,
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(step));
  const mac = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, counter));
  const offset = mac[19]! & 0xf;
  const binary =
    ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 1_000_000).padStart(6, '0');
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong_code' | 'replayed_code' };

/**
 * Checks a code: within one step either side of `now`, and only for a time step after the last accepted
 * one (a code, once used, never works again; nor does an older one: a right code of such a step is a
 * replay).
 */
export async function checkTotp(
  secret: string,
  code: string,
  now: Date,
  lastUsedStep: number | null,
): Promise<TotpCheck> {
  const current = Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
  let replayed = false;
  for (let step = current - TOTP_TOLERANCE_STEPS; step <= current + TOTP_TOLERANCE_STEPS; step++) {
    if ((await totpCode(secret, step)) !== code) continue;
    if (lastUsedStep === null || step > lastUsedStep) return { ok: true, step };
    replayed = true;
  }
  return { ok: false, reason: replayed ? 'replayed_code' : 'wrong_code' };
}
