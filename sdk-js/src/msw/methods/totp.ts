import { base64url, randomBytes } from '../crypto';

/** RFC 6238 as the server (and every authenticator app): HMAC-SHA1, 6 digits, 30 s, one step either side. */
export const TOTP_PERIOD_SECONDS = 30;
const TOLERANCE_STEPS = 1;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (what otpauth URIs and authenticator apps take). */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
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

/** A 160-bit secret, as the server's (base32). */
export const newTotpSecret = (): string => base32(randomBytes(20));

/** The code of one time step. */
export async function totpCode(secret: string, step: number): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    fromBase32(secret) as BufferSource,
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(step));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, counter));
  const offset = mac[19]! & 0xf;
  const binary =
    ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 1_000_000).padStart(6, '0');
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong_code' | 'replayed_code' };

/** As the server's TotpService.check: a step after the last accepted one; an older right code is a replay. */
export async function checkTotp(
  secret: string,
  code: string,
  nowMs: number,
  lastUsedStep: number | null,
): Promise<TotpCheck> {
  const current = Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
  let replayed = false;
  for (let step = current - TOLERANCE_STEPS; step <= current + TOLERANCE_STEPS; step++) {
    if ((await totpCode(secret, step)) !== code) continue;
    if (lastUsedStep === null || step > lastUsedStep) return { ok: true, step };
    replayed = true;
  }
  return { ok: false, reason: replayed ? 'replayed_code' : 'wrong_code' };
}

/** `otpauth://` URI as otplib's generateURI writes it. */
export const otpauthUri = (issuer: string, label: string, secret: string): string =>
  `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(label)}?secret=${secret}&period=30&digits=6&algorithm=SHA1&issuer=${encodeURIComponent(issuer)}`;

/** The mock draws no QR code (that needs a PNG encoder): a 1×1 PNG stands in for it. */
export const PLACEHOLDER_QR =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Crockford base32 lower case (no i, l, o, u), as the server's recovery codes. */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** A recovery code `xxxx-xxxx-xxxx-xxxx` (80 random bits). */
export function recoveryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** What people type (the contract removed dashes and lower-cased it): i/l read as 1, o as 0. */
export const normalizeRecoveryCode = (code: string): string =>
  code.replace(/-/g, '').replace(/[il]/g, '1').replace(/o/g, '0');

export const mfaToken = (): string => `emt_${base64url(randomBytes(32))}`;
