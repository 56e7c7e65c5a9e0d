import { createPrivateKey, type JsonWebKey, sign } from 'node:crypto';
import {
  type ActiveSigningKey,
  buildJwks,
  isPublished,
  type JwksDocument,
  type PublishedKey,
  SIGNING_ALG,
  type SigningKeys,
} from '@enforcer/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { importJWK, type JWK } from 'jose';
import { type ISigningKey, SigningKey } from '../../entities/signing-keys.js';
import type { Clock } from '../../lib/clock.js';
import type { RandomSource } from '../../lib/random.js';
import { recordAudit } from '../audit/record-audit.js';
import { decryptPrivateJwk, generateSigningKey, importPublicKey } from './key-material.js';

export interface SigningKeyStoreOptions {
  orm: MikroORM;
  masterKey: Buffer;
  clock: Clock;
  random: RandomSource;
  /** Retired keys stay published and accepted for verification this long after rotation. */
  retentionSeconds: number;
  /** A pending key must have been published this long before `rotate()` promotes it (unless forced). */
  minPendingAgeSeconds: number;
  /** How long the in-memory copy of the key table is used before it is read again (default 60 s). */
  cacheTtlSeconds?: number;
}

export interface RotationResult {
  /** The key that signs from now on. */
  activated: string;
  /** The previously active key, now retired (still published until its retention ends). */
  retired: string | null;
  /** The new pending key, published now, promoted by the next rotation. */
  pending: string;
  /** Retired keys past their retention, deleted. */
  pruned: string[];
}

export class KeyRotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRotationError';
  }
}

interface CachedKey extends PublishedKey {
  publicKey: CryptoKey;
}

interface Snapshot {
  loadedAt: number;
  active: ActiveSigningKey | undefined;
  keys: Map<string, CachedKey>;
}

// Serialises key changes across every server process sharing the database.
const LOCK_SQL = "select pg_advisory_xact_lock(hashtext('enforcer:signing_key'))";
const UNKNOWN_KID_RELOAD_MS = 5_000;

/**
 * The signing keys: kept in PostgreSQL (private halves encrypted with the master key), decrypted once and
 * cached in memory, re-read every `cacheTtlSeconds` so a rotation done by another process (the CLI) is
 * picked up. Rotation pre-publishes: a new key is `pending` (in the JWKS, never signing) until the next
 * rotation promotes it; the old active key is `retired` and stays in the JWKS for `retentionSeconds`.
 */
/** The server's signing keys: the core's `SigningKeys` port over the `signing_key` table. */
export class SigningKeyStore implements SigningKeys {
  readonly #options: SigningKeyStoreOptions;
  #snapshot: Promise<Snapshot> | undefined;

  constructor(options: SigningKeyStoreOptions) {
    this.#options = options;
  }

  /** Makes sure an active and a pending key exist (at first start: creates both). Idempotent, concurrency-safe. */
  async ensureKeys(): Promise<{ created: string[] }> {
    const created = await this.#em().transactional(async (em) => {
      await em.execute(LOCK_SQL);
      const now = this.#options.clock.now();
      const rows = await em.find(SigningKey, { status: { $in: ['active', 'pending'] } });
      const made: string[] = [];
      if (!rows.some((row) => row.status === 'active')) made.push(await this.#create(em, 'active', now));
      if (!rows.some((row) => row.status === 'pending')) made.push(await this.#create(em, 'pending', now));
      if (made.length > 0) {
        recordAudit(em, this.#options.clock, {
          action: 'keys.created',
          actor: { type: 'system' },
          details: { kids: made },
        });
      }
      return made;
    });
    this.invalidate();
    return { created };
  }

  /**
   * Promotes the newest pending key to active, retires the active key, creates a new pending key and
   * deletes retired keys past retention. Refuses (KeyRotationError) when the pending key was published
   * less than `minPendingAgeSeconds` ago, since verifiers may not have fetched it yet, unless `force`.
   */
  async rotate(options: { force?: boolean } = {}): Promise<RotationResult> {
    const result = await this.#em().transactional(async (em) => {
      await em.execute(LOCK_SQL);
      const now = this.#options.clock.now();
      const pending = await em.findOne(SigningKey, { status: 'pending' }, { orderBy: { createdAt: 'desc' } });
      const next = pending ?? (options.force ? await this.#createRow(em, 'pending', now) : undefined);
      if (!next) {
        throw new KeyRotationError(
          'no pending key to promote: run ensureKeys (the server does at start) first',
        );
      }
      const age = (now.getTime() - next.createdAt.getTime()) / 1000;
      if (!options.force && age < this.#options.minPendingAgeSeconds) {
        throw new KeyRotationError(
          `the pending key ${next.kid} was published ${Math.floor(age)}s ago; verifiers cache the JWKS for up to ${this.#options.minPendingAgeSeconds}s, so wait or use --force`,
        );
      }
      const active = await em.findOne(SigningKey, { status: 'active' });
      if (active) {
        active.status = 'retired';
        active.retiredAt = now;
        // Flush the retirement first: at most one active key is allowed by a partial unique index.
        await em.flush();
      }
      next.status = 'active';
      next.activatedAt = now;
      const newPending = await this.#create(em, 'pending', now);
      const cutoff = new Date(now.getTime() - this.#options.retentionSeconds * 1000);
      const expired = await em.find(SigningKey, { status: 'retired', retiredAt: { $lte: cutoff } });
      for (const row of expired) em.remove(row);
      const rotation: RotationResult = {
        activated: next.kid,
        retired: active?.kid ?? null,
        pending: newPending,
        pruned: expired.map((row) => row.kid),
      };
      recordAudit(em, this.#options.clock, {
        action: 'keys.rotated',
        actor: { type: 'system' },
        details: { ...rotation, forced: options.force === true },
      });
      return rotation;
    });
    this.invalidate();
    return result;
  }

  /** The key that signs new tokens. */
  async getSigningKey(): Promise<ActiveSigningKey> {
    const snapshot = await this.#load();
    if (!snapshot.active) throw new Error('no active signing key: the server runs ensureKeys() at start');
    return snapshot.active;
  }

  /** The public key for a kid, if that key is published (pending, active or retired within retention). */
  async getVerificationKey(kid: string): Promise<CryptoKey | undefined> {
    let snapshot = await this.#load();
    if (!snapshot.keys.has(kid) && this.#nowMs() - snapshot.loadedAt >= UNKNOWN_KID_RELOAD_MS) {
      // Perhaps rotated by another process since we loaded: read again (at most every few seconds).
      this.invalidate();
      snapshot = await this.#load();
    }
    const key = snapshot.keys.get(kid);
    if (!key || !isPublished(key, this.#options.clock.now(), this.#options.retentionSeconds))
      return undefined;
    return key.publicKey;
  }

  /** The JWKS document to serve at `/.well-known/jwks.json`. */
  async getJwks(): Promise<JwksDocument> {
    const snapshot = await this.#load();
    return buildJwks([...snapshot.keys.values()], this.#options.clock.now(), this.#options.retentionSeconds);
  }

  /** Forgets the cached keys; the next call reads the table again. */
  invalidate(): void {
    this.#snapshot = undefined;
  }

  #em(): EntityManager {
    return this.#options.orm.em.fork() as EntityManager;
  }

  #nowMs(): number {
    return this.#options.clock.now().getTime();
  }

  #load(): Promise<Snapshot> {
    const ttl = (this.#options.cacheTtlSeconds ?? 60) * 1000;
    const current = this.#snapshot;
    if (current) {
      return current.then((snapshot) => {
        if (Math.abs(this.#nowMs() - snapshot.loadedAt) < ttl) return snapshot;
        if (this.#snapshot === current) this.#snapshot = undefined;
        return this.#load();
      });
    }
    const loading = this.#read();
    this.#snapshot = loading;
    loading.catch(() => {
      if (this.#snapshot === loading) this.#snapshot = undefined;
    });
    return loading;
  }

  async #read(): Promise<Snapshot> {
    const loadedAt = this.#nowMs();
    const rows = await this.#em().find(SigningKey, {}, { orderBy: { createdAt: 'desc' } });
    const keys = new Map<string, CachedKey>();
    let active: ActiveSigningKey | undefined;
    for (const row of rows) {
      keys.set(row.kid, { ...published(row), publicKey: await importPublicKey(row) });
      if (row.status === 'active') {
        const jwk = decryptPrivateJwk(row, this.#options.masterKey);
        const privateKey = (await importJWK(jwk, row.alg)) as CryptoKey;
        active = { kid: row.kid, alg: SIGNING_ALG, privateKey, sign: nodeEs256Signer(jwk) };
      }
    }
    return { loadedAt, active, keys };
  }

  async #createRow(em: EntityManager, status: 'active' | 'pending', now: Date): Promise<ISigningKey> {
    const material = await generateSigningKey(this.#options.masterKey, this.#options.random, status, now);
    return em.create(SigningKey, {
      ...material,
      activatedAt: status === 'active' ? now : null,
      retiredAt: null,
    });
  }

  async #create(em: EntityManager, status: 'active' | 'pending', now: Date): Promise<string> {
    return (await this.#createRow(em, status, now)).kid;
  }
}

const published = (row: ISigningKey): PublishedKey => ({
  kid: row.kid,
  alg: row.alg,
  status: row.status,
  publicJwk: row.publicJwk,
  createdAt: row.createdAt,
  retiredAt: row.retiredAt ?? null,
});

/**
 * ES256 with node:crypto over the same key material as `privateKey`: about 40 µs of CPU per signature here
 * against several times that through WebCrypto's job machinery. `ieee-p1363` gives r || s, the form a JWS
 * carries.
 */
function nodeEs256Signer(jwk: JWK): (data: Uint8Array) => Uint8Array {
  const keyObject = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  return (data) => sign('sha256', data, { key: keyObject, dsaEncoding: 'ieee-p1363' });
}
