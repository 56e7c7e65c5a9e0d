import { randomUUID } from 'node:crypto';
import { contract } from '@enforcer/contract';
import { recordImpersonatedRequest } from '@enforcer/core';
import cookie from '@fastify/cookie';
import type { MikroORM } from '@mikro-orm/postgresql';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type Logger, type LoggerOptions, pino, stdSerializers } from 'pino';
import { apiRoutes } from './api.js';
import type { Config } from './config.js';
import { scheduleAuditPurge } from './domains/audit/purge-job.js';
import { healthRoutes } from './domains/health/routes.js';
import { domainRoutes } from './domains/index.js';
import { scheduleMessageWorker } from './domains/messaging/routes.js';
import { scheduleHousekeeping } from './domains/platform/housekeeping-job.js';
import { scheduleUsageFlush } from './domains/platform/routes.js';
import { scheduleDeletionJob } from './domains/privacy/deletion-job.js';
import { scheduleWebhookWorker } from './domains/webhooks/routes.js';
import { ChangeListener } from './http/principal-cache.js';
import { clientInfo } from './http/request-context.js';
import { AllowedOrigins, registerCors } from './plugins/cors.js';
import { installErrorHandling } from './plugins/error-handler.js';
import { registerRateLimit } from './plugins/rate-limit.js';
import {
  clientErrorHandler,
  frameworkErrorHandler,
  installRequestBodyChecks,
} from './plugins/request-body.js';
import { securityHeaders } from './plugins/security-headers.js';
import { createServices, type ServiceDeps, type Services } from './services.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's services (keys, tokens, ...), shared by every route. */
    services: Services;
  }
}

export interface AppDeps extends ServiceDeps {
  orm: MikroORM;
  /** Prebuilt services (e.g. shared with a CLI or a test); otherwise built from `config` and `orm`. */
  services?: Services;
  /** The logger (main.ts shares one with the database start-up); default: `createLogger(config)`. */
  logger?: Logger;
}

/** Never logged: credentials and one-time secrets, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...[
    'password',
    'otp',
    'code',
    'token',
    'access_token',
    'refresh_token',
    'api_key',
    'key',
    'secret',
  ].flatMap((name) => [name, `*.${name}`, `*.*.${name}`]),
];

const PROBE = /^(\/api\/v1\/enforcer)?\/(healthz|readyz)(\?|$)/;

const SENSITIVE_QUERY = /^(token|access_token|refresh_token|code|otp|key|api_key|secret|password)$/i;

/** The URL with sensitive query values masked, for request logs. */
export const redactQuery = (url: string): string => {
  const [path, query] = url.split('?', 2);
  if (!query) return url;
  const params = new URLSearchParams(query);
  for (const name of [...params.keys()]) if (SENSITIVE_QUERY.test(name)) params.set(name, '[redacted]');
  return `${path}?${params.toString()}`;
};

export function loggerOptions(config: Config): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (request: {
        method: string;
        url: string;
        id: string;
        ip?: string;
        headers?: Record<string, unknown>;
      }) => ({
        id: request.id,
        method: request.method,
        url: typeof request.url === 'string' ? truncate(redactQuery(request.url), 2048) : undefined,
        ip: request.ip,
        userAgent: truncateLogValue(request.headers?.['user-agent']),
      }),
      // Errors can carry what an attacker sent (zod's `input`, a message quoting a header): cut to size.
      err: (error: Error) => truncateLogValue(stdSerializers.err(error)),
    },
  };
}

const truncate = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;

/**
 * A copy of a value for the log with every string cut to 1,000 characters (stacks to 8,000), at most
 * 50 entries per object or array and 4 levels deep: a request can never make the log echo it at length.
 */
export function truncateLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return truncate(value, 1000);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 4) return '[nested too deep]';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => truncateLogValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, 50))
    out[key] =
      key === 'stack' && typeof item === 'string' ? truncate(item, 8000) : truncateLogValue(item, depth + 1);
  return out;
}

/** The structured JSON logger (pino) with secrets redacted. */
export const createLogger = (config: Config): Logger => pino(loggerOptions(config));

/**
 * The Fastify application: infrastructure (limits, logging, the problem+json error handler, 404/405) and
 * health probes at `/` and at the API base path. Domain routes are added as sealed plugins.
 * Call `await app.ready()` (or `listen`) before use; closing the app does not close the ORM.
 */
export function buildApp(config: Config, deps: AppDeps): FastifyInstance {
  const logger = (deps.logger ?? createLogger(config)) as FastifyBaseLogger;
  const services = deps.services ?? createServices(config, deps.orm, { ...deps, logger });
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    // Probes are polled every few seconds: do not log each one (failures are still logged as warnings).
    logController: new LogController({ disableRequestLogging: (request) => PROBE.test(request.url) }),
    // A body on a route that does not expect one is still parsed (and rejected) by content type.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Router and HTTP-parser errors (bad URL, 414, timeouts, huge headers) are problems too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });
  app.decorate('services', services);

  installErrorHandling(app);
  const security = Object.entries(securityHeaders(config));
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    // A page with a policy of its own (the Swagger UI's CSP) keeps it.
    for (const [name, value] of security) if (!reply.hasHeader(name)) reply.header(name, value);
    // Responses carry tokens and personal data: nothing is cached unless a route says so (e.g. the JWKS).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  installRequestBodyChecks(app);
  // Parses `Cookie` (request.cookies) and sets cookies: only the refresh-token cookie mode (#18) uses them.
  app.register(cookie);
  const origins = new AllowedOrigins({
    fixed: config.corsOrigins,
    lookup: async (origin) => {
      const rows: Array<{ allowed: boolean }> = await deps.orm.em
        .getConnection()
        .execute(
          'select exists (select 1 from "tenant" where "allowed_origins" @> array[?]::text[]) as allowed',
          [origin],
        );
      return rows[0]?.allowed === true;
    },
  });
  registerCors(app, origins);
  registerRateLimit(app, { config, orm: deps.orm, clock: services.clock });
  // A tenant's allow-list changed through this process: it applies here at once (elsewhere within the TTL).
  app.addHook('onResponse', async (request, reply) => {
    if (
      request.method === 'PATCH' &&
      reply.statusCode === 200 &&
      request.routeOptions.url === contract.tenants.update.path
    )
      origins.forget();
  });
  // Every request made with an impersonation token is audited, whatever its answer (#14).
  // Written before the answer leaves, so the event is there when the client makes its next request.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.caller?.kind !== 'user' || !request.caller.actorAccountId) return payload;
    const route = { method: request.method, route: request.routeOptions.url ?? '', status: reply.statusCode };
    await recordImpersonatedRequest(services.uow, request.caller, route, clientInfo(request)).catch((error) =>
      request.log.error({ err: error }, 'could not audit an impersonated request'),
    );
    return payload;
  });
  app.register(apiRoutes(services, domainRoutes));
  scheduleAuditPurge(app);
  scheduleDeletionJob(app);
  scheduleWebhookWorker(app);
  scheduleMessageWorker(app);
  scheduleUsageFlush(app);
  scheduleHousekeeping(app);

  // The principal cache is used only while this process listens for change notifications.
  const listener = new ChangeListener({
    url: deps.orm.config?.get('clientUrl') ?? '',
    cache: services.principalCache,
    log: (message, error) => app.log.warn({ err: error }, message),
  });
  app.addHook('onReady', async () => {
    if (deps.orm.config?.get('clientUrl')) await listener.start();
  });
  app.addHook('onClose', async () => {
    await listener.close();
    await services.mail.close();
  });
  // A request that may have written waits, before answering, until this process has heard of
  // every change committed so far: the caller's next request never meets a stale cache entry.
  const readOnlyPosts = new Set<string>([contract.policy.authorize.path, contract.policy.filter.path]);
  // A refresh that succeeds wrote nothing the cache holds (a new refresh token, the session's last use); one
  // that fails may have ended the session (reuse, an account no longer active), so it waits like any write.
  const cacheNeutralWhenOk = new Set<string>([contract.auth.refresh.path]);
  app.addHook('onSend', async (request, reply, payload) => {
    const method = request.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return payload;
    const route = request.routeOptions.url ?? '';
    if (readOnlyPosts.has(route)) return payload;
    if (reply.statusCode === 200 && cacheNeutralWhenOk.has(route)) return payload;
    await listener.sync();
    return payload;
  });

  const health = healthRoutes({ orm: deps.orm, keys: services.keys });
  app.register(health.atRoot);
  app.register(health.underBasePath);
  return app;
}
