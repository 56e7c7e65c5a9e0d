import { contract } from '@enforcer/contract';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { AppError } from '../../lib/errors.js';
import { pruneRevocationEvents, readRevocationFeed } from './read-feed.js';

/** The largest clock tolerance an `@enforcer/node-verifier` accepts (its `clockTolerance` option). */
export const MAX_VERIFIER_CLOCK_TOLERANCE_SECONDS = 60;
const PRUNE_EVERY_MS = 60_000;

/**
 * `GET /revocations`: the feed offline verifiers poll (API key with `revocations.read`). Also prunes
 * old events, at most once a minute per process.
 */
export const revocationsRoutes: DomainRoutes = (app, services) => {
  const { tokens } = services.config;
  const retentionSeconds =
    tokens.accessTtlSeconds + Math.max(tokens.clockToleranceSeconds, MAX_VERIFIER_CLOCK_TOLERANCE_SECONDS);
  let lastPrune = 0;

  registerContractRoutes(app, contract.revocations, {
    feed: async ({ query, request }) => {
      const principal = request.principal;
      if (!principal) throw new AppError('unauthenticated', 'This call needs a credential');
      const em = services.orm.em.fork();
      const body = await readRevocationFeed(em, {
        tenantId: principal.tenantId,
        cursor: query.cursor,
        limit: query.limit,
        retentionSeconds,
      });
      const now = Date.now();
      if (now - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = now;
        pruneRevocationEvents(em.fork(), retentionSeconds).catch((error: unknown) => {
          request.log.warn({ err: error }, 'revocation feed: pruning old events failed');
        });
      }
      return { status: 200, body };
    },
  });
};
