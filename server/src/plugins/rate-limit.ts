import { createHash } from 'node:crypto';
import { basePath, contract, getRouteMetadata } from '@enforcer/contract';
import { type RateLimitClass, RateLimiter, rateLimitClassOf, rateLimitHeaders } from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import { problem, sendProblem } from '../lib/problem.js';
import { PostgresRateLimitCounters } from '../stores/postgres/rate-limits.js';

/** Probes are polled by load balancers and orchestrators: never limited. */
const EXEMPT = /^(\/api\/v1\/enforcer)?\/(healthz|readyz)$/;

/** `METHOD /api/v1/enforcer/path/:id` → its class, for every route of the contract. */
function routeClasses(): Map<string, RateLimitClass> {
  const classes = new Map<string, RateLimitClass>();
  const walk = (node: AppRouter | AppRoute) => {
    if (isAppRoute(node)) {
      const metadata = getRouteMetadata(node);
      const path = node.path.slice(basePath.length);
      classes.set(
        `${node.method} ${node.path}`,
        rateLimitClassOf({ method: node.method, path, auth: metadata.auth, permission: metadata.permission }),
      );
      return;
    }
    for (const child of Object.values(node)) walk(child as AppRouter | AppRoute);
  };
  walk(contract);
  return classes;
}

/** Digests of credentials seen lately kept per server: a client sends the same one again and again. */
const DIGESTS_KEPT = 10_000;

/**
 * The credential a request carries, as sent (not verified: a forged one only spends its own budget), as a
 * short digest: the counter's key never holds the credential itself. The digest of a credential seen lately
 * is remembered (a map lookup instead of a SHA-256 on every request); past `DIGESTS_KEPT`, the oldest goes.
 */
function credentialDigests(): (request: FastifyRequest) => string | null {
  const digests = new Map<string, string>();
  return (request) => {
    const apiKey = request.headers['x-api-key'];
    const authorization = request.headers.authorization;
    const value = typeof apiKey === 'string' && apiKey !== '' ? apiKey : authorization;
    if (typeof value !== 'string' || value === '') return null;
    let digest = digests.get(value);
    if (digest === undefined) {
      digest = createHash('sha256').update(value).digest('base64url').slice(0, 22);
      if (digests.size >= DIGESTS_KEPT) digests.delete(digests.keys().next().value!);
      digests.set(value, digest);
    }
    return digest;
  };
}

/**
 * The general rate limit (#18) as an `onRequest` hook, before the body is read and the caller
 * authenticated: each request is counted per credential and per client address in its route's class
 * (core `RateLimiter`, in memory, synced with `rate_limit_counter` in the background), every answer says
 * where the caller stands (`RateLimit-Policy`, `RateLimit`), and one over a limit is `429 rate_limited`
 * with `Retry-After`. Registered after CORS, so a browser can read the 429.
 */
export function registerRateLimit(
  app: FastifyInstance,
  options: { config: Config; orm: MikroORM; clock: Clock },
): RateLimiter | null {
  const settings = options.config.rateLimits;
  if (!settings.enabled) return null;
  const limiter = new RateLimiter({
    limits: { windowSeconds: settings.windowSeconds, classes: settings.classes },
    clock: options.clock,
    store: new PostgresRateLimitCounters(options.orm),
  });
  const classes = routeClasses();
  const credentialDigest = credentialDigests();
  // Each route's class (null: exempt), worked out on its first request and kept with the route's own
  // `config` object (one per route; a route declared for several methods shares it: the method is kept too).
  const classOfRoute = new WeakMap<object, { method: string; routeClass: RateLimitClass | null }>();
  const classOf = (request: FastifyRequest): RateLimitClass | null => {
    const key = request.routeOptions.config as object | undefined;
    const known = key && classOfRoute.get(key);
    if (known && known.method === request.method) return known.routeClass;
    const route = request.routeOptions.url;
    const routeClass =
      route !== undefined && EXEMPT.test(route)
        ? null
        : (route && classes.get(`${request.method} ${route}`)) || 'other';
    if (key) classOfRoute.set(key, { method: request.method, routeClass });
    return routeClass;
  };
  const plugin = async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS') return;
      const routeClass = classOf(request);
      if (routeClass === null) return;
      const decision = limiter.hit(routeClass, request.ip || null, credentialDigest(request));
      reply.headers(rateLimitHeaders(decision));
      if (decision.allowed) return;
      const retryAfter = decision.resetSeconds;
      return sendProblem(
        reply,
        problem('rate_limited', `Too many requests: try again in ${retryAfter} seconds`, {
          instance: request.url.split('?')[0] ?? request.url,
        }),
        { 'retry-after': String(retryAfter) },
      );
    });
  };
  // Not encapsulated: the hook applies to every route of the app.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  app.register(plugin);

  let timer: NodeJS.Timeout | undefined;
  // One warning per outage, not one a second: the database being down is reported elsewhere too.
  let failing = false;
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      limiter.sync().then(
        () => {
          if (failing) app.log.info('rate limit counters synced again');
          failing = false;
        },
        (error: unknown) => {
          if (!failing) {
            app.log.warn(
              { err: error },
              'could not sync the rate limit counters; counting locally meanwhile',
            );
          }
          failing = true;
        },
      );
    }, settings.syncIntervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    // What this process counted since the last sync still counts for the others.
    await limiter.sync().catch(() => undefined);
  });
  return limiter;
}
