import { processDueDeletions } from '@enforcer/core';
import type { FastifyInstance } from 'fastify';

/** How often a server process erases the persons whose deletion grace period ended. */
export const DELETION_JOB_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Runs the core's `processDueDeletions` every five minutes while the app is up. Every process runs it: each request is erased in its own transaction, re-read under its row lock,
 * so two processes never erase one person twice and a cancel that commits first wins. A failed run is
 * logged and retried at the next; a request that fails stays pending.
 */
export function scheduleDeletionJob(app: FastifyInstance, intervalMs = DELETION_JOB_INTERVAL_MS): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const erased = await processDueDeletions({ uow: app.services.uow, clock: app.services.clock });
      if (erased > 0) app.log.info({ erased }, 'persons erased after their deletion grace period');
    } catch (error) {
      app.log.warn({ err: error }, 'processing deletion requests failed (retried at the next run)');
    } finally {
      running = false;
    }
  };
  app.addHook('onReady', async () => {
    timer = setInterval(() => void run(), intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
