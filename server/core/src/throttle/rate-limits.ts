import type { Clock } from '../platform.js';
import { clientSendKey } from './send-limits.js';

/**
 * The general rate limit on every route (#18), beside the sign-in throttle and the send limits: requests
 * per fixed window, counted per credential (the `Authorization` or `X-API-Key` value as sent, hashed) and per
 * client address (IPv6 by its /64), with one budget per route class.
 */
export const rateLimitClasses = ['sign-in', 'token', 'authorize', 'admin', 'other'] as const;
export type RateLimitClass = (typeof rateLimitClasses)[number];

/** Requests one credential and one client address may make in one window, for one route class. */
export interface ClassLimits {
  perCredential: number;
  perIp: number;
}

export interface RateLimits {
  windowSeconds: number;
  classes: Record<RateLimitClass, ClassLimits>;
}

/**
 * The defaults, per minute. Sign-in and token routes are what attackers guess against (the sign-in
 * throttle and the send limits stay in front of the secrets; this caps the request rate itself); `/authorize`
 * is a backend's hot path: 600,000 a minute is 10,000 a second per API key and per backend address.
 */
export const RATE_LIMITS: RateLimits = Object.freeze({
  windowSeconds: 60,
  classes: Object.freeze({
    'sign-in': { perCredential: 300, perIp: 300 },
    token: { perCredential: 600, perIp: 600 },
    authorize: { perCredential: 600_000, perIp: 600_000 },
    admin: { perCredential: 3_000, perIp: 6_000 },
    other: { perCredential: 1_200, perIp: 3_000 },
  }),
});

/**
 * Which class a route is in, from its method, its path in the contract (without the base path) and its
 * contract metadata: `/authorize*` is `authorize`; `/auth/refresh` (and OAuth token routes) `token`; a public
 * POST (sign-in, codes, links, passkey ceremonies, sign-up, password reset) `sign-in`; a route that needs a
 * permission `admin`; anything else (the signed-in person's own routes, discovery) `other`.
 */
export function rateLimitClassOf(route: {
  method: string;
  path: string;
  auth?: string;
  permission?: string;
}): RateLimitClass {
  if (route.path === '/authorize' || route.path.startsWith('/authorize/')) return 'authorize';
  if (route.path === '/auth/refresh' || route.path.startsWith('/oauth/')) return 'token';
  if (route.auth === 'none' && route.method === 'POST') return 'sign-in';
  if (route.permission) return 'admin';
  return 'other';
}

/** One budget a request was counted against, as the headers tell it. */
export interface RateLimitState {
  /** The policy's name in `RateLimit-Policy` and `RateLimit`: `<class>-credential` or `<class>-ip`. */
  policy: string;
  limit: number;
  remaining: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  windowSeconds: number;
  /** Seconds until the window ends (`t` in `RateLimit`, `Retry-After` when refused). */
  resetSeconds: number;
  states: RateLimitState[];
}

/**
 * What counts are shared through: the process's new hits per key since it last synced (0: only read the
 * total), for the window that starts at `windowStart`, added to the shared total; answers each key's total
 * after that (every process together). Called in the background, never on a request's path.
 */
export interface RateLimitCounterStore {
  add(windowStart: Date, hits: ReadonlyArray<{ key: string; hits: number }>): Promise<Map<string, number>>;
}

interface Counter {
  /** The total every process had counted at the last sync (this process's hits pushed so far included). */
  known: number;
  /** This process's hits not pushed yet. */
  pending: number;
}

/** Keys tracked per window past which new keys share one overflow counter per class (a flood of addresses). */
const MAX_KEYS = 100_000;

/**
 * The counting: in memory on the request's path (no database round trip), synced with the shared store
 * every `syncIntervalMs` in the background. A process decides with the total of every process as of the
 * last sync plus its own hits since; between syncs another process's hits are not seen yet, so the limit
 * can be overshot by what the other processes admit within one interval (bounded by each process's own
 * count never passing the limit). A store that fails leaves the count local until it answers again.
 */
export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #clock: Clock;
  readonly #store: RateLimitCounterStore | null;
  #windowStart = 0;
  #counters = new Map<string, Counter>();
  #syncing: Promise<void> | null = null;

  constructor(options: { limits: RateLimits; clock: Clock; store?: RateLimitCounterStore | null }) {
    this.#limits = options.limits;
    this.#clock = options.clock;
    this.#store = options.store ?? null;
  }

  get limits(): RateLimits {
    return this.#limits;
  }

  /** Counts one request of `routeClass` from `ip` with `credential` (a digest of it, or null) and decides. */
  hit(routeClass: RateLimitClass, ip: string | null, credential: string | null): RateLimitDecision {
    const now = this.#clock.now().getTime();
    const windowMs = this.#limits.windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    if (windowStart !== this.#windowStart) {
      this.#windowStart = windowStart;
      this.#counters = new Map();
    }
    const limits = this.#limits.classes[routeClass];
    const budgets: Array<{ policy: string; key: string; limit: number }> = [];
    if (credential) {
      budgets.push({
        policy: `${routeClass}-credential`,
        key: `${routeClass}:cred:${credential}`,
        limit: limits.perCredential,
      });
    }
    if (ip) {
      budgets.push({
        policy: `${routeClass}-ip`,
        key: `${routeClass}:${clientSendKey(ip)}`,
        limit: limits.perIp,
      });
    }
    const counters = budgets.map((budget) => this.#counter(budget.key, routeClass));
    const allowed = counters.every((counter, i) => counter.known + counter.pending < budgets[i]!.limit);
    // A refused request is not counted: a client that waits for Retry-After gets its full budget.
    if (allowed) for (const counter of counters) counter.pending += 1;
    return {
      allowed,
      windowSeconds: this.#limits.windowSeconds,
      resetSeconds: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)),
      states: budgets.map((budget, i) => ({
        policy: budget.policy,
        limit: budget.limit,
        remaining: Math.max(0, budget.limit - counters[i]!.known - counters[i]!.pending),
      })),
    };
  }

  #counter(key: string, routeClass: RateLimitClass): Counter {
    let counter = this.#counters.get(key);
    if (counter) return counter;
    if (this.#counters.size >= MAX_KEYS) return this.#counter(`${routeClass}:overflow`, routeClass);
    counter = { known: 0, pending: 0 };
    this.#counters.set(key, counter);
    return counter;
  }

  /**
   * Pushes this window's new hits to the shared store and takes every key's total back; one sync at a
   * time (a call during one waits for it).
   */
  sync(): Promise<void> {
    if (!this.#store) return Promise.resolve();
    this.#syncing ??= this.#push().finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }

  async #push(): Promise<void> {
    const store = this.#store!;
    const windowStart = this.#windowStart;
    const counters = this.#counters;
    if (counters.size === 0) return;
    // Every key of the window: those with new hits add them, the others only read the total, so a key
    // that went quiet here is up to date when its next request comes.
    const pushed = [...counters].map(([key, counter]) => ({ key, hits: counter.pending, counter }));
    const totals = await store.add(
      new Date(windowStart),
      pushed.map(({ key, hits }) => ({ key, hits })),
    );
    // The window moved on meanwhile: these counters are gone already.
    if (this.#counters !== counters) return;
    for (const { key, hits, counter } of pushed) {
      counter.pending -= hits;
      const total = totals.get(key);
      if (total !== undefined) counter.known = total;
    }
  }
}

/** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) for a decision. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'ratelimit-policy': decision.states
      .map((state) => `"${state.policy}";q=${state.limit};w=${decision.windowSeconds}`)
      .join(', '),
    ratelimit: decision.states
      .map((state) => `"${state.policy}";r=${state.remaining};t=${decision.resetSeconds}`)
      .join(', '),
  };
}
