import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock } from '../../platform.js';
import {
  type ActiveSigningKey,
  buildJwks,
  isPublished,
  type JwksDocument,
  type PublishedKey,
  SIGNING_ALG,
  type SigningKeys,
} from '../../tokens/signing-keys.js';

interface MemoryKey extends PublishedKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * Signing keys in memory (the mock's): ES256 pairs made on first use, the kid the public key's RFC 7638
 * thumbprint, as on the server. `rotate()` makes a new active key and retires the old one, which stays
 * published and accepted for `retentionSeconds` (forever by default: a test's tokens outlive no server).
 */
export class MemorySigningKeys implements SigningKeys {
  readonly #clock: Clock;
  readonly #retentionSeconds: number;
  #keys: Promise<MemoryKey[]> | undefined;

  constructor(options: { clock: Clock; retentionSeconds?: number }) {
    this.#clock = options.clock;
    this.#retentionSeconds = options.retentionSeconds ?? Number.POSITIVE_INFINITY;
  }

  async #newKey(): Promise<MemoryKey> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const exported = await exportJWK(publicKey);
    const publicJwk: JWK = { kty: exported.kty, crv: exported.crv, x: exported.x, y: exported.y };
    return {
      kid: await calculateJwkThumbprint(publicJwk, 'sha256'),
      alg: SIGNING_ALG,
      status: 'active',
      publicJwk,
      createdAt: this.#clock.now(),
      retiredAt: null,
      privateKey,
      publicKey,
    };
  }

  #all(): Promise<MemoryKey[]> {
    this.#keys ??= this.#newKey().then((key) => [key]);
    return this.#keys;
  }

  /** The new key signs from now on; the previous one is retired (still published within retention). */
  async rotate(): Promise<void> {
    const [keys, next] = await Promise.all([this.#all(), this.#newKey()]);
    const now = this.#clock.now();
    const retired = keys.map((k) =>
      k.status === 'active' ? { ...k, status: 'retired' as const, retiredAt: now } : k,
    );
    this.#keys = Promise.resolve([next, ...retired]);
  }

  async getSigningKey(): Promise<ActiveSigningKey> {
    const active = (await this.#all()).find((k) => k.status === 'active')!;
    return { kid: active.kid, alg: SIGNING_ALG, privateKey: active.privateKey };
  }

  async getVerificationKey(kid: string): Promise<CryptoKey | undefined> {
    const key = (await this.#all()).find((k) => k.kid === kid);
    return key && isPublished(key, this.#clock.now(), this.#retentionSeconds) ? key.publicKey : undefined;
  }

  async getJwks(): Promise<JwksDocument> {
    return buildJwks(await this.#all(), this.#clock.now(), this.#retentionSeconds);
  }
}
