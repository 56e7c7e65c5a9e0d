import { contract } from '@enforcer/contract';
import { platformHandlers } from '@enforcer/core';
import type { FastifyInstance } from 'fastify';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * The deployment operator's routes (`contract.platform`): the core's handlers (server/core/src/operator)
 * over the PostgreSQL unit of work. The authenticate plugin lets only a platform key through.
 */
export const platformRoutes: DomainRoutes = (app, services) => {
  const handlers = platformHandlers({
    uow: services.uow,
    clock: services.clock,
    authorizeCalls: services.authorizeCalls,
    deletionGraceSeconds: services.config.tenantDeletionGraceSeconds,
  });
  app.register(async (scope) => registerCoreRoutes(scope, contract.platform, handlers));
};

/** How often a server process writes the authorize calls it counted (`usage_counter`). */
export const USAGE_FLUSH_INTERVAL_MS = 60 * 1000;

/** Flushes the process's authorize-call counter every minute and when the app closes. */
export function scheduleUsageFlush(app: FastifyInstance, intervalMs = USAGE_FLUSH_INTERVAL_MS): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const flush = async () => {
    try {
      await app.services.authorizeCalls.flush(app.services.uow);
    } catch (error) {
      app.log.warn({ err: error }, 'writing usage counters failed (kept for the next flush)');
    }
  };
  app.addHook('onReady', async () => {
    timer = setInterval(() => void flush(), intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await flush();
  });
}
