import { type Handler, type Handlers, inRefreshCookieMode } from '@enforcer/core';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { AppRouteImplementation, RouterImplementation } from '@ts-rest/fastify';
import type { FastifyInstance } from 'fastify';
import { registerContractRoutes } from './contract-routes.js';
import './caller.js';
import { clientInfo } from './request-context.js';

/**
 * Registers the core's handlers for a contract router with Fastify: each gets the parsed request and a
 * context with the caller and the client's address, exactly as the mock's dispatch gives them.
 */
export function registerCoreRoutes<T extends AppRouter>(
  app: FastifyInstance,
  router: T,
  handlers: Handlers<T>,
): void {
  registerContractRoutes(app, router, adapt(router, handlers) as RouterImplementation<T>);
}

function adapt(router: AppRouter, handlers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(router).map(([name, route]) => {
      const handler = handlers[name];
      if (typeof handler !== 'function') {
        return [name, adapt(route as AppRouter, handler as Record<string, unknown>)];
      }
      return [name, coreRoute(handler as Handler<AppRoute>)];
    }),
  );
}

/**
 * One core handler as a ts-rest route implementation, for a router whose other routes are not the core's
 * yet: it gets the parsed request and a context with the caller and the client's address, exactly as the
 * mock's dispatch gives them.
 */
export function coreRoute<R extends AppRoute>(handler: Handler<R>): AppRouteImplementation<R> {
  // biome-ignore lint/suspicious/noExplicitAny: ts-rest's per-route argument types, checked by Handler<R>.
  return (async ({ params, query, body, headers, request, reply }: any) => {
    const answered = await handler({ params, query, body, headers } as never, {
      caller: request.caller,
      platform: request.platformCaller,
      client: clientInfo(request),
      cookies: request.cookies,
      ...(request.rawBody ? { rawBody: request.rawBody as Uint8Array } : {}),
    });
    // Refresh-token cookie mode (#18): a token answer's refresh token moves into the cookie when asked for.
    const maxAge = request.server.services.config.tokens.refreshAbsoluteTtlSeconds;
    const result = inRefreshCookieMode(request.headers, answered, maxAge);
    // Response headers a handler returns (an ETag) go on the reply; ts-rest sends status and body.
    if (result.headers) reply.headers(result.headers);
    for (const { name, value, ...options } of result.cookies ?? []) reply.setCookie(name, value, options);
    return { status: result.status, body: result.body };
  }) as AppRouteImplementation<R>;
}
