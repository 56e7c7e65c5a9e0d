import { Readable } from 'node:stream';
import { contract } from '@enforcer/contract';
import { auditExportLines, auditHandlers, callerOf, type Handler } from '@enforcer/core';
import type { DomainRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';

/**
 * The audit log (`GET /audit-events`, `/{id}`, `/export`, `/verify`, `GET`/`PATCH /audit-settings`) and a
 * person's activity (`GET /auth/activity`): the core's handlers (server/core/src/audit/handlers.ts), over
 * the PostgreSQL unit of work. The export is the contract's route too, but streamed: its body is a
 * stream of the core's NDJSON lines, read from the database a page at a time as the client takes them.
 */
export const auditRoutes: DomainRoutes = (app, services) => {
  const { uow, clock } = services;
  const handlers = auditHandlers({ uow, clock });
  const streamedExport: Handler<typeof contract.audit.export> = async ({ query }, ctx) => {
    const caller = callerOf(ctx);
    const lines = auditExportLines(uow, caller.tenantId, {
      from: new Date(query.from),
      to: new Date(query.to),
    });
    // Fastify sends a stream as it is read (ts-rest passes the body through and sets the content type).
    return { status: 200, body: Readable.from(lines) as unknown as string };
  };
  app.register(async (scope) =>
    registerCoreRoutes(scope, contract.audit, { ...handlers, export: streamedExport }),
  );
};
