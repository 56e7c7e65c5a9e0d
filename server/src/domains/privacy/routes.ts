import { contract } from '@enforcer/contract';
import { privacyHandlers } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * Privacy (#15): `GET /auth/me/export`, `POST`/`GET`/`DELETE /auth/me/deletion`, `GET /deletion-requests`,
 * `POST /deletion-requests/{id}/process`, `GET`/`PATCH /privacy-settings`: the core's handlers
 * (server/core/src/privacy/handlers.ts) over the PostgreSQL unit of work. The job that erases persons whose
 * grace period ended is `deletion-job.ts`.
 */
export const privacyRoutes: DomainRoutes = (app, services) => {
  const handlers = privacyHandlers({
    uow: services.uow,
    clock: services.clock,
    // A scheduled deletion is noticed to the person through the mail outbox (docs/messaging.md).
    outbox: services.messaging.outbox,
  });
  app.register(async (scope) => registerCoreRoutes(scope, contract.privacy, handlers));
};
