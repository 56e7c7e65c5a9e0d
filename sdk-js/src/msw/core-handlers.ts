import type { Caller, Handler, Handlers } from '@enforcer/core';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { MockContext, RouteImpl, RouterImpl } from './context';
import { subjectOfPrincipal } from './dispatch';

/** The core's caller for the mock's principal. */
export function callerOfMockContext(ctx: MockContext): Caller | undefined {
  const { principal } = ctx;
  if (!principal) return undefined;
  if (principal.kind === 'api_key') {
    const { key } = principal;
    return {
      kind: 'api_key',
      tenantId: key.tenantId,
      apiKeyId: key.id,
      role: key.role,
      createdBy: key.createdBy,
    };
  }
  const subject = subjectOfPrincipal(ctx.store, principal);
  return {
    kind: 'user',
    tenantId: principal.account.tenantId,
    accountId: principal.account.id,
    personId: principal.account.personId,
    sessionId: principal.session.id,
    roles: [...subject.roles],
    groups: [...subject.groups],
    attributes: (subject.attributes ?? {}) as Record<string, string | number>,
    amr: [...principal.claims.amr],
  };
}

/**
 * The core's handlers as the mock's route implementations: the same code the server registers with
 * Fastify, given the mock's caller. The mock sees no client address (requests come from the test itself).
 */
export function coreRoutes<T extends AppRouter>(router: T, handlers: Handlers<T>): RouterImpl<T> {
  const adapt = (r: AppRouter, h: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(r).map(([name, route]) => {
        const handler = h[name];
        if (typeof handler !== 'function')
          return [name, adapt(route as AppRouter, handler as Record<string, unknown>)];
        return [name, coreRoute(handler as Handler<AppRoute>)];
      }),
    );
  return adapt(router, handlers) as RouterImpl<T>;
}

/** One core handler as a mock route, for a router whose other routes are not the core's yet. */
export const coreRoute =
  <R extends AppRoute>(handler: Handler<R>): RouteImpl<R> =>
  (request, ctx) =>
    handler(request as never, {
      caller: callerOfMockContext(ctx),
      client: { ip: null, userAgent: null },
    }) as ReturnType<RouteImpl<R>>;
