import {
  deleteDueTenants,
  feedRetentionSeconds,
  type PurgeCounts,
  runHousekeeping,
  type UnitOfWork,
} from '@enforcer/core';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Clock } from '../../lib/clock.js';

/** How often a server process runs housekeeping (docs/server.md, "Housekeeping"). */
export const HOUSEKEEPING_INTERVAL_MS = 10 * 60 * 1000;

/** One run with the deployment's settings: what the job runs (and tests, through the testing entry). */
export async function housekeepingRun(services: {
  config: Config;
  uow: UnitOfWork;
  clock: Clock;
}): Promise<PurgeCounts & { tenantsDeleted: number }> {
  const { config, uow, clock } = services;
  // Tenants past their deletion grace first: their rows then need no purge.
  const tenantsDeleted = await deleteDueTenants({ uow, clock });
  const counts = await runHousekeeping(
    { uow, clock },
    {
      refreshIdleTtlSeconds: config.tokens.refreshIdleTtlSeconds,
      feedRetentionSeconds: feedRetentionSeconds(
        config.tokens.accessTtlSeconds,
        config.tokens.clockToleranceSeconds,
      ),
    },
  );
  return { ...counts, tenantsDeleted };
}

/**
 * Deletes the tenants whose deletion grace has passed (`deleteDueTenants`), then runs the core's
 * housekeeping (`runHousekeeping`: expired codes, challenges, magic links, MFA sign-ins, social sign-in flows,
 * refresh tokens, ended sessions, idempotency keys, send and throttle counters, old revocation events)
 * every ten minutes while the app is up. Every process runs it: deletes of the same
 * rows by two processes are harmless, and each run deletes a bounded batch per table.
 */
export function scheduleHousekeeping(app: FastifyInstance, intervalMs = HOUSEKEEPING_INTERVAL_MS): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const run = async () => {
    try {
      const counts = await housekeepingRun(app.services);
      const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
      if (total > 0) app.log.info({ deleted: counts }, 'housekeeping: expired rows deleted');
    } catch (error) {
      app.log.warn({ err: error }, 'housekeeping failed (retried at the next run)');
    }
  };
  app.addHook('onReady', async () => {
    timer = setInterval(() => void run(), intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
