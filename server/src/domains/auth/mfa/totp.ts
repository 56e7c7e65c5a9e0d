import { base32, checkTotp, TOTP_PERIOD_SECONDS, TOTP_SECRET_BYTES } from '@enforcer/core';
import { generateURI } from 'otplib';
import { toDataURL } from 'qrcode';
import type { ITotpCredential } from '../../../entities/mfa.js';
import type { Clock } from '../../../lib/clock.js';
import { deriveKey, open, seal } from '../../../lib/crypto.js';
import type { RandomSource } from '../../../lib/random.js';

export { base32, TOTP_PERIOD_SECONDS, TOTP_SECRET_BYTES, type TotpCheck } from '@enforcer/core';

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
   * Checks a code against a credential with the core's `checkTotp`: within one step either side of now,
   * and only for a time step after the last accepted one (a code, once used, never works again).
   */
  async check(credential: Pick<ITotpCredential, 'person' | 'secretSealed' | 'lastUsedStep'>, code: string) {
    const secret = this.open(credential.person.id, credential.secretSealed);
    return checkTotp(secret, code, this.#clock.now(), credential.lastUsedStep ?? null);
  }
}

const aad = (personId: string) => `totp/v1:${personId}`;
