import {
  type AuditEvent,
  type AuditSettings,
  type contract,
  defaultAuditRetentionDays,
} from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf } from '../caller.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock } from '../platform.js';
import type { UnitOfWork } from '../store.js';
import { verifyAuditChain } from './chain.js';
import type { AuditEventFilter, AuditRecord } from './ports.js';

export interface AuditDeps {
  uow: UnitOfWork;
  clock: Clock;
}

/** An event as the API shows it. */
export const auditEventView = (event: AuditRecord): AuditEvent => ({
  id: event.id,
  created_at: event.createdAt.toISOString(),
  type: event.action,
  outcome: event.outcome,
  actor: { type: event.actorType, id: event.actorId },
  target:
    event.targetType !== null && event.targetId !== null
      ? { type: event.targetType, id: event.targetId }
      : null,
  tenant_id: event.tenantId,
  ip: event.ip,
  user_agent: event.userAgent,
  request_id: event.requestId,
  details: event.details,
  seq: event.seq,
  prev_hash: event.prevHash,
  hash: event.hash,
});

/** Events read per page of an export (and of a chain verification). */
export const AUDIT_EXPORT_PAGE = 500;

/**
 * The NDJSON lines of a tenant's events in `[from, to)`, oldest first, read a page at a time from a cursor
 * (each page its own read, so neither the store nor the caller holds more than a page).
 */
export async function* auditExportLines(
  uow: UnitOfWork,
  tenantId: string,
  range: { from: Date; to: Date },
  pageSize = AUDIT_EXPORT_PAGE,
): AsyncGenerator<string> {
  const filter: AuditEventFilter = { tenantId, from: range.from, to: range.to };
  let after: AuditRecord | undefined;
  for (;;) {
    const page = await uow.read((repos) =>
      repos.auditEvents.listOldestFirst(filter, {
        after: after && { createdAt: after.createdAt, id: after.id },
        limit: pageSize,
      }),
    );
    for (const event of page) yield `${JSON.stringify(auditEventView(event))}\n`;
    if (page.length < pageSize) return;
    after = page.at(-1);
  }
}

const settingsView = (days: number | null): AuditSettings => ({
  audit_retention_days: days ?? defaultAuditRetentionDays,
});

/**
 * The audit log's routes (`GET /audit-events`, `/{id}`, `/export`, `/verify`, `/audit-settings`) and a
 * person's own activity (`GET /auth/activity`). The route metadata checks `audit.read`; every read is of
 * the caller's tenant only, so another tenant's event is a 404 like a missing one.
 */
export const auditHandlers = (deps: AuditDeps): Handlers<typeof contract.audit> => {
  const { uow } = deps;
  return {
    list: async ({ query }, ctx) => {
      const caller = callerOf(ctx);
      const filter: AuditEventFilter = {
        tenantId: caller.tenantId,
        ...(query.type !== undefined && { actionPrefix: query.type }),
        ...(query.actor_account_id !== undefined && { actorAccountId: query.actor_account_id }),
        ...(query.target_account_id !== undefined && { targetAccountId: query.target_account_id }),
        ...(query.outcome !== undefined && { outcome: query.outcome }),
        ...(query.from !== undefined && { from: new Date(query.from) }),
        ...(query.to !== undefined && { to: new Date(query.to) }),
      };
      const rows = await uow.read((repos) => repos.auditEvents.listNewestFirst(filter, pageRequest(query)));
      return { status: 200, body: toPage(rows, query.limit, auditEventView) };
    },

    get: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      const event = await uow.read((repos) => repos.auditEvents.find(caller.tenantId, params.id));
      if (!event) throw new AppError('not_found', 'No such audit event');
      return { status: 200, body: auditEventView(event) };
    },

    // The server streams this route itself (audit/routes.ts) through `auditExportLines`; the mock, whose
    // store is in memory anyway, answers with the lines joined.
    export: async ({ query }, ctx) => {
      const caller = callerOf(ctx);
      let body = '';
      const range = { from: new Date(query.from), to: new Date(query.to) };
      for await (const line of auditExportLines(uow, caller.tenantId, range)) body += line;
      return { status: 200, body };
    },

    verify: async (_request, ctx) => {
      const caller = callerOf(ctx);
      const result = await verifyAuditChain((afterSeq, limit) =>
        uow.read((repos) => repos.auditEvents.chain(caller.tenantId, afterSeq, limit)),
      );
      return {
        status: 200,
        body: {
          ok: result.firstBreak === null,
          checked: result.checked,
          first_seq: result.firstSeq,
          last_seq: result.lastSeq,
          last_hash: result.lastHash,
          first_break: result.firstBreak,
        },
      };
    },

    settings: async (_request, ctx) => {
      const caller = callerOf(ctx);
      const days = await uow.read((repos) => repos.auditEvents.retentionDays(caller.tenantId));
      return { status: 200, body: settingsView(days) };
    },

    updateSettings: async ({ body }, ctx) => {
      const caller = callerOf(ctx);
      const days = body.audit_retention_days;
      await uow.transaction(async (repos) => {
        const before = await repos.auditEvents.retentionDays(caller.tenantId);
        await repos.auditEvents.setRetentionDays(caller.tenantId, days);
        repos.audit.record({
          action: 'audit.settings.updated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'tenant', id: caller.tenantId },
          ...ctx.client,
          details: { before: settingsView(before), after: settingsView(days) },
        });
      });
      return { status: 200, body: settingsView(days) };
    },

    activity: async ({ query }, ctx) => {
      const caller = callerOf(ctx);
      if (caller.kind !== 'user')
        throw new AppError('credential_not_allowed', 'This call needs a signed-in user');
      const filter: AuditEventFilter = {
        tenantId: caller.tenantId,
        about: [
          { type: 'account', id: caller.accountId },
          { type: 'person', id: caller.personId },
        ],
      };
      const rows = await uow.read((repos) => repos.auditEvents.listNewestFirst(filter, pageRequest(query)));
      return { status: 200, body: toPage(rows, query.limit, auditEventView) };
    },
  };
};

/** Events deleted per transaction of a purge (a long backlog is purged in several). */
export const AUDIT_PURGE_BATCH = 1000;

/**
 * Deletes every tenant's events older than its retention (`audit_retention_days`, default 365; tenant-less
 * events keep the default), oldest first, in batches. Each batch records `audit.events_purged` in the
 * tenant's chain, so a chain that starts after seq 1 says why. The server runs it periodically.
 */
export async function purgeExpiredAuditEvents(
  deps: AuditDeps & { batch?: number },
): Promise<{ deleted: number }> {
  const batch = deps.batch ?? AUDIT_PURGE_BATCH;
  const now = deps.clock.now();
  const retentions = await deps.uow.read((repos) => repos.auditEvents.retentions());
  let total = 0;
  for (const { tenantId, days } of retentions) {
    const before = new Date(now.getTime() - (days ?? defaultAuditRetentionDays) * 86_400_000);
    for (;;) {
      const deleted = await deps.uow.transaction(async (repos) => {
        const purged = await repos.auditEvents.purge(tenantId, before, batch);
        if (purged.deleted > 0) {
          repos.audit.record({
            action: 'audit.events_purged',
            actor: { type: 'system' },
            tenantId,
            details: {
              before: before.toISOString(),
              deleted: purged.deleted,
              through_seq: purged.throughSeq,
            },
          });
        }
        return purged.deleted;
      });
      total += deleted;
      if (deleted < batch) break;
    }
  }
  return { deleted: total };
}
