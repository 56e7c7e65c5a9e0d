import { purgeExpiredAuditEvents } from '@enforcer/core';
import type { FastifyInstance } from 'fastify';

/** How often a server process purges audit events past their tenant's retention. */
export const AUDIT_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Runs the core's audit purge (`purgeExpiredAuditEvents`) every hour while the app is up. Every process
 * runs it: two purges at once delete disjoint or already-deleted rows, and each batch is its own short
 * transaction, so a long backlog never holds a tenant's audit chain for long.
 */
export function scheduleAuditPurge(app: FastifyInstance, intervalMs = AUDIT_PURGE_INTERVAL_MS): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const run = async () => {
    try {
      const { deleted } = await purgeExpiredAuditEvents({ uow: app.services.uow, clock: app.services.clock });
      if (deleted > 0) app.log.info({ deleted }, 'audit events past retention purged');
    } catch (error) {
      app.log.warn({ err: error }, 'purging audit events failed (retried at the next run)');
    }
  };
  app.addHook('onReady', async () => {
    timer = setInterval(() => void run(), intervalMs);
    // The purge never keeps a process alive by itself.
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
