import { contract } from '@enforcer/contract';
import { feedRetentionSeconds, revocationsHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * `GET /revocations`: the feed offline verifiers poll (API key with `revocations.read`): the core's handler
 * (server/core/src/revocations/handlers.ts), over the PostgreSQL unit of work.
 */
export const revocationsRoutes: DomainRoutes = (app, services) => {
  const { tokens } = services.config;
  const handlers = revocationsHandlers({
    uow: services.uow,
    retentionSeconds: feedRetentionSeconds(tokens.accessTtlSeconds, tokens.clockToleranceSeconds),
    onPruneError: (error) => app.log.warn({ err: error }, 'revocation feed: pruning old events failed'),
  });
  app.register(async (scope) => registerCoreRoutes(scope, contract.revocations, handlers));
};
