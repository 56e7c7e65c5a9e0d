import { type ApplicationJwk, remoteJwksDocumentSchema } from '@enforcer/contract';
import { AppError } from '../errors.js';
import type { Clock } from '../platform.js';
import { assertOutboundTarget, type WebhookTargetRules } from '../webhooks/targets.js';
import { assertUsablePublicJwks } from './jwks.js';

/**
 * Fetches a JWKS document (an application's `jwks_uri`) and answers its parsed JSON, or throws. The server's
 * is SSRF-safe (server/src/domains/oauth/jwks-fetch.ts: https only, public addresses only in production,
 * checked at each fetch and pinned for the connection, size and time limits); `plainJwksFetcher` is the
 * mock's.
 */
export type JwksFetcher = (url: URL) => Promise<unknown>;

/** How long fetched keys are used before they are fetched again. */
export const REMOTE_JWKS_TTL_SECONDS = 300;
/** At most one fetch of a URL in this time when a `kid` is unknown (or a fetch failed): callers cannot make Enforcer hammer a URL. */
export const REMOTE_JWKS_COOLDOWN_SECONDS = 30;
/** A JWKS document larger than this is refused. */
export const REMOTE_JWKS_MAX_BYTES = 64 * 1024;
/** A fetch (connection, answer and body) that takes longer is abandoned. */
export const REMOTE_JWKS_TIMEOUT_MS = 5000;
/** URLs whose keys are kept at once (the oldest is forgotten first). */
const MAX_CACHED_URLS = 1000;

/** The keys of a `jwks_uri` could not be fetched (and none were cached): the assertion cannot be checked. */
export class JwksUnavailable extends Error {}

/** `jwks_uri` refused at registration: `400 validation_failed` naming the field. */
export const jwksUriRefused = (detail: string) =>
  new AppError('validation_failed', `jwks_uri: ${detail}`, {
    errors: [{ path: 'body.jwks_uri', message: detail }],
  });

/** Checks an application's `jwks_uri` as Enforcer checks every URL it calls (`assertOutboundTarget`). */
export async function assertJwksUri(rules: WebhookTargetRules, raw: string): Promise<string> {
  return (await assertOutboundTarget(rules, raw, jwksUriRefused)).href;
}

/** The keys a fetched document holds, checked as registered keys are (or `JwksUnavailable`). */
async function usableKeys(document: unknown): Promise<ApplicationJwk[]> {
  const parsed = remoteJwksDocumentSchema.safeParse(document);
  if (!parsed.success) throw new JwksUnavailable('the document is not a JWKS of public signing keys');
  try {
    return await assertUsablePublicJwks({ keys: parsed.data.keys });
  } catch {
    throw new JwksUnavailable('the JWKS holds keys that cannot be used');
  }
}

interface Entry {
  keys: ApplicationJwk[] | null;
  /** When `keys` were fetched (ms). */
  fetchedAt: number;
  /** When a fetch was last tried, successful or not (ms): the cooldown counts from it. */
  triedAt: number;
  inFlight: Promise<ApplicationJwk[]> | null;
}

/**
 * The keys of applications' `jwks_uri`s, per process: fetched on first use, used for `ttlSeconds`, fetched
 * again after that, and refetched at once when an assertion names a `kid` they lack (a rotation at the
 * application), at most once per `cooldownSeconds` per URL whatever callers send. Concurrent needs of the
 * same URL share one fetch. When a fetch fails, keys fetched before go on serving (stale) until one
 * succeeds. Nothing here is shared between processes: each fetches for itself (a cache, not state).
 */
export class RemoteJwksCache {
  readonly #fetch: JwksFetcher;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cooldownMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: { fetch: JwksFetcher; clock: Clock; ttlSeconds?: number; cooldownSeconds?: number }) {
    this.#fetch = options.fetch;
    this.#clock = options.clock;
    this.#ttlMs = (options.ttlSeconds ?? REMOTE_JWKS_TTL_SECONDS) * 1000;
    this.#cooldownMs = (options.cooldownSeconds ?? REMOTE_JWKS_COOLDOWN_SECONDS) * 1000;
  }

  /** The URL's keys: cached while fresh, else fetched (stale ones if the fetch fails); `JwksUnavailable` when none. */
  async keys(url: string): Promise<ApplicationJwk[]> {
    const now = this.#clock.now().getTime();
    const entry = this.#entries.get(url);
    if (entry?.keys && now - entry.fetchedAt < this.#ttlMs) return entry.keys;
    if (entry && now - entry.triedAt < this.#cooldownMs && !entry.inFlight) {
      // Tried moments ago and failed (or the keys just expired and were refetched): no new fetch yet.
      if (entry.keys) return entry.keys;
      throw new JwksUnavailable('the JWKS could not be fetched; try again shortly');
    }
    return this.#refetch(url, now);
  }

  /**
   * Keys fetched anew because an assertion named a `kid` the cached ones lack, or null when the URL was
   * fetched within the cooldown (the unknown `kid` stays unknown until then).
   */
  async refreshed(url: string): Promise<ApplicationJwk[] | null> {
    const now = this.#clock.now().getTime();
    const entry = this.#entries.get(url);
    if (entry?.inFlight) return entry.inFlight.catch(() => null);
    if (entry && now - entry.triedAt < this.#cooldownMs) return null;
    return this.#refetch(url, now).catch(() => null);
  }

  #refetch(url: string, now: number): Promise<ApplicationJwk[]> {
    let entry = this.#entries.get(url);
    if (entry?.inFlight) return entry.inFlight;
    if (!entry) {
      if (this.#entries.size >= MAX_CACHED_URLS) {
        this.#entries.delete(this.#entries.keys().next().value!);
      }
      entry = { keys: null, fetchedAt: 0, triedAt: now, inFlight: null };
      this.#entries.set(url, entry);
    }
    const current = entry;
    current.triedAt = now;
    current.inFlight = (async () => {
      try {
        const keys = await usableKeys(await this.#fetch(new URL(url)));
        current.keys = keys;
        current.fetchedAt = this.#clock.now().getTime();
        return keys;
      } catch (error) {
        if (current.keys) return current.keys;
        throw error instanceof JwksUnavailable ? error : new JwksUnavailable(String(error));
      } finally {
        current.inFlight = null;
      }
    })();
    return current.inFlight;
  }
}

/**
 * A plain JWKS fetch (the mock's): global `fetch`, no redirects, the time and size limits above. It does
 * not guard against server-side request forgery: the server passes its own fetcher.
 */
export const plainJwksFetcher: JwksFetcher = async (url) => {
  const response = await fetch(url, {
    redirect: 'error',
    headers: { accept: 'application/jwk-set+json, application/json' },
    signal: AbortSignal.timeout(REMOTE_JWKS_TIMEOUT_MS),
  });
  if (!response.ok) throw new JwksUnavailable(`the JWKS answered ${response.status}`);
  const text = await response.text();
  if (text.length > REMOTE_JWKS_MAX_BYTES) throw new JwksUnavailable('the JWKS is too large');
  return JSON.parse(text);
};
