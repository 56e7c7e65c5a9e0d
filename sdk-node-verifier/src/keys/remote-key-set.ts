import type { Now } from '../clock';
import { VerifierError } from '../errors';
import { fetchJson, SourceError } from '../http/fetch-json';
import { importKeySet, type VerificationKey } from './import-key-set';
import { type KeySource, type KeySourceStatus, PLAUSIBLE_KID } from './key-source';

export interface RemoteKeySetOptions {
  uri: string;
  algorithms: ReadonlySet<string>;
  /** A fetched JWKS is fresh this long; then the next use fetches it again in the background. */
  maxAgeMs: number;
  /** At most one fetch per cooldown (unknown kids, failures), however many requests ask. */
  cooldownMs: number;
  /** After `maxAgeMs`, keys keep working this long while fetching fails (stale-while-error). */
  maxStaleMs: number;
  fetch: typeof fetch;
  timeoutMs: number;
  now: Now;
  onError: (error: Error) => void;
  /** Keys that disappeared from the JWKS (retired): tokens they signed must stop being accepted. */
  onKeysRemoved: (kids: string[]) => void;
}

/**
 * The JWKS at the configured URI, and nowhere else (never a URL from a token's header). Cached for
 * `maxAgeMs`, then refreshed in the background; an unknown `kid` causes one fetch, rate-limited by
 * `cooldownMs` and shared by every request waiting for it; when the JWKS cannot be fetched, the cached
 * keys keep working for `maxStaleMs` more, then verification fails with `keys_unavailable`.
 */
export class RemoteKeySet implements KeySource {
  readonly #o: RemoteKeySetOptions;
  #keys: Map<string, VerificationKey> | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  #first: Promise<void> | undefined;

  constructor(options: RemoteKeySetOptions) {
    this.#o = options;
  }

  /** Starts the first fetch now, so the first request does not wait for it. */
  start(): void {
    this.#first ??= this.#fetch();
  }

  async get(kid: string): Promise<VerificationKey> {
    let keys = this.#usable();
    if (!keys) {
      await this.#fetchUnlessCoolingDown();
      keys = this.#usable();
      if (!keys) throw new VerifierError('keys_unavailable', 'the JWKS could not be fetched');
    } else if (this.#o.now() - this.#fetchedAt >= this.#o.maxAgeMs) {
      void this.#fetchUnlessCoolingDown();
    }
    let key = keys.get(kid);
    if (!key && PLAUSIBLE_KID.test(kid)) {
      // Perhaps a key published since we fetched: look once (rate-limited), then decide.
      await this.#fetchUnlessCoolingDown();
      key = this.#usable()?.get(kid);
    }
    if (!key) throw new VerifierError('unknown_key', 'no key with this kid in the JWKS', { claim: 'kid' });
    return key;
  }

  assertUsable(): void {
    if (!this.#usable()) throw new VerifierError('keys_unavailable', 'the JWKS could not be fetched');
    if (this.#o.now() - this.#fetchedAt >= this.#o.maxAgeMs) void this.#fetchUnlessCoolingDown();
  }

  ready(): Promise<void> {
    this.start();
    return this.#first!;
  }

  refresh(): Promise<void> {
    return this.#inflight ?? this.#fetch();
  }

  status(): KeySourceStatus {
    return {
      source: 'jwksUri',
      kids: [...(this.#keys?.keys() ?? [])],
      fetchedAt: Number.isFinite(this.#fetchedAt) ? this.#fetchedAt : undefined,
    };
  }

  #usable(): Map<string, VerificationKey> | undefined {
    if (!this.#keys) return undefined;
    const age = this.#o.now() - this.#fetchedAt;
    return age <= this.#o.maxAgeMs + this.#o.maxStaleMs ? this.#keys : undefined;
  }

  #fetchUnlessCoolingDown(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    if (this.#o.now() - this.#lastAttempt < this.#o.cooldownMs) return Promise.resolve();
    return this.#fetch();
  }

  #fetch(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const startedAt = this.#o.now();
    this.#lastAttempt = startedAt;
    const run = async () => {
      try {
        const { body } = await fetchJson(this.#o.uri, {
          fetch: this.#o.fetch,
          timeoutMs: this.#o.timeoutMs,
          maxBytes: 256 * 1024,
        });
        const keys = await importKeySet(body, this.#o.algorithms);
        if (keys.size === 0) throw new SourceError(`GET ${this.#o.uri}: no usable key in the JWKS`);
        const removed = [...(this.#keys?.keys() ?? [])].filter((kid) => !keys.has(kid));
        this.#keys = keys;
        this.#fetchedAt = startedAt;
        if (removed.length > 0) this.#o.onKeysRemoved(removed);
      } catch (error) {
        this.#o.onError(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#inflight = undefined;
      }
    };
    this.#inflight = run();
    return this.#inflight;
  }
}
