import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** How long one process trusts what it read about an origin: a changed allow-list applies within this. */
export const ORIGIN_CACHE_TTL_MS = 10_000;
/** At most this many origins are remembered; past it the memory starts over (a flood of made-up origins). */
const ORIGIN_CACHE_MAX = 1_000;

/**
 * Which web origins may call Enforcer from a browser: those of `ENFORCER_CORS_ORIGINS`, and any that a
 * tenant lists in its `allowed_origins` (exact match; the contract normalised both). The answer for an
 * origin is remembered for `ORIGIN_CACHE_TTL_MS`, allowed or not, so cross-origin traffic costs one
 * indexed lookup per origin and ten seconds, not one per request; a change made through this process is
 * seen at once (`forget`), one made through another process within the TTL.
 */
export class AllowedOrigins {
  readonly #fixed: ReadonlySet<string>;
  readonly #lookup: (origin: string) => Promise<boolean>;
  readonly #now: () => number;
  readonly #known = new Map<string, { allowed: boolean; until: number }>();

  constructor(options: {
    fixed: readonly string[];
    lookup: (origin: string) => Promise<boolean>;
    now?: () => number;
  }) {
    this.#fixed = new Set(options.fixed);
    this.#lookup = options.lookup;
    this.#now = options.now ?? Date.now;
  }

  async allows(origin: string): Promise<boolean> {
    if (this.#fixed.has(origin)) return true;
    const now = this.#now();
    const known = this.#known.get(origin);
    if (known && known.until > now) return known.allowed;
    const allowed = await this.#lookup(origin);
    if (this.#known.size >= ORIGIN_CACHE_MAX) this.#known.clear();
    this.#known.set(origin, { allowed, until: now + ORIGIN_CACHE_TTL_MS });
    return allowed;
  }

  /** After a tenant's allow-list changed: read every origin again. */
  forget(): void {
    this.#known.clear();
  }
}

/**
 * CORS with `@fastify/cors`: preflights answered, and `Access-Control-Allow-Origin` echoing the origin
 * (never `*`) on answers to an allowed one, with `Vary: Origin`. An origin that is not allowed gets no
 * CORS headers: its page cannot read the answer (the request itself is not refused: CORS is the browser's
 * rule, and bearer tokens are never sent by a browser on its own). `Origin: null` (sandboxed frames, files)
 * is never allowed. Credentials are allowed for the cookie mode to come; that mode must check the origin
 * against the session's own tenant, since this list is every tenant's together.
 */
export function registerCors(app: FastifyInstance, origins: AllowedOrigins): void {
  // On the root instance itself (the plugin is not encapsulated), so every route answers CORS alike.
  app.register(cors, {
    origin: (origin, callback) => {
      if (origin === undefined || origin === 'null') return callback(null, false);
      origins.allows(origin).then(
        (allowed) => callback(null, allowed),
        (error: unknown) => {
          app.log.warn({ err: error }, 'could not read the allowed origins; answering without CORS');
          callback(null, false);
        },
      );
    },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    credentials: true,
    exposedHeaders: ['etag', 'location', 'retry-after', 'x-request-id', 'ratelimit', 'ratelimit-policy'],
    // Browsers cap it (Chromium at 2 hours); ten minutes keeps a removed origin's preflights short-lived.
    maxAge: 600,
  });
}
