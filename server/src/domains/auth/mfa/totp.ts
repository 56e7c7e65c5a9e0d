import { generateURI, verify } from 'otplib';
import { toDataURL } from 'qrcode';
import type { Clock } from '../../../lib/clock.js';
import { deriveKey, open, seal } from '../../../lib/crypto.js';
import type { RandomSource } from '../../../lib/random.js';
import type { ITotpCredential } from './entities.js';

/** RFC 6238 as every authenticator app does it: HMAC-SHA1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
/** Codes of the previous and the next step are accepted too (clock drift, a code typed at the boundary). */
export const TOTP_TOLERANCE_SECONDS = 30;
/** 160-bit secrets (RFC 4226 §4 recommends at least 128, 160 is what SHA-1 HMAC keys want). */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (what otpauth URIs and authenticator apps take). */
export function base32(bytes: Buffer): string {
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

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong_code' | 'replayed_code' };

/**
 * TOTP secrets and codes. Secrets come from the injected CSPRNG and are stored sealed (AES-256-GCM under
 * the master key's `secret-encryption` sub-key, with `totp/v1:<person id>` as associated data, so a
 * sealed secret copied to another person's row does not open). Verification uses the injected clock.
 */
export class TotpService {
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: { masterKey: Buffer; clock: Clock; random: RandomSource }) {
    this.#key = deriveKey(options.masterKey, 'secret-encryption');
    this.#clock = options.clock;
    this.#random = options.random;
  }

  newSecret(): string {
    return base32(this.#random.bytes(TOTP_SECRET_BYTES));
  }

  seal(personId: string, secret: string): string {
    const sealed = seal(this.#key, Buffer.from(secret, 'utf8'), aad(personId), this.#random);
    return Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]).toString('base64url');
  }

  open(personId: string, stored: string): string {
    const raw = Buffer.from(stored, 'base64url');
    return open(
      this.#key,
      { iv: raw.subarray(0, 12), tag: raw.subarray(12, 28), ciphertext: raw.subarray(28) },
      aad(personId),
    ).toString('utf8');
  }

  /** The enrollment an authenticator app scans: the otpauth URI and it as a PNG data URL. */
  async enrollment(secret: string, issuer: string, label: string) {
    const uri = generateURI({ issuer, label, secret, period: TOTP_PERIOD_SECONDS, digits: 6 });
    const qr = await toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
    return { secret, otpauth_uri: uri, qr_code: qr };
  }

  /**
   * Checks a code against a credential: within one step either side of now, and only for a time step
   * after the last accepted one (a code, once used, never works again; nor does an older one).
   */
  async check(credential: Pick<ITotpCredential, 'person' | 'secretSealed' | 'lastUsedStep'>, code: string) {
    const secret = this.open(credential.person.id, credential.secretSealed);
    const epoch = Math.floor(this.#clock.now().getTime() / 1000);
    const options = {
      secret,
      token: code,
      epoch,
      period: TOTP_PERIOD_SECONDS,
      epochTolerance: TOTP_TOLERANCE_SECONDS,
    };
    const last = credential.lastUsedStep ?? undefined;
    const result = await verify({ ...options, ...(last === undefined ? {} : { afterTimeStep: last }) });
    if (result.valid && 'timeStep' in result) return { ok: true, step: result.timeStep } satisfies TotpCheck;
    if (last !== undefined && (await verify(options)).valid) {
      return { ok: false, reason: 'replayed_code' } satisfies TotpCheck;
    }
    return { ok: false, reason: 'wrong_code' } satisfies TotpCheck;
  }
}

const aad = (personId: string) => `totp/v1:${personId}`;
