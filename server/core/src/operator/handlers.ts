import type { contract, PlatformTenant } from '@enforcer/contract';
import type { HandlerContext, Handlers } from '../api/handlers.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock } from '../platform.js';
import type { UnitOfWork } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { PlatformCaller } from './keys.js';
import { type AuthorizeCallCounter, monthPeriod } from './usage.js';

export interface PlatformDeps {
  uow: UnitOfWork;
  clock: Clock;
  /** This process's authorize-call counter: flushed before figures are read, so they include its calls. */
  authorizeCalls?: AuthorizeCallCounter;
  /** How long a tenant stays `pending_deletion` before the job deletes it (`ENFORCER_TENANT_DELETION_GRACE`). */
  deletionGraceSeconds: number;
}

/** A tenant as the operator sees it. */
export const platformTenantView = (tenant: TenantRecord): PlatformTenant => ({
  id: tenant.id,
  code: tenant.code,
  name: tenant.name,
  status: tenant.status,
  status_reason: tenant.statusReason,
  status_changed_at: tenant.statusChangedAt?.toISOString() ?? null,
  deletion_due_at: tenant.deletionDueAt?.toISOString() ?? null,
  created_at: tenant.createdAt.toISOString(),
});

/** The platform key behind a `/platform/*` route (the HTTP layer has refused every other credential). */
export function platformCallerOf(ctx: HandlerContext): PlatformCaller {
  if (!ctx.platform) throw new AppError('unauthenticated', 'This call needs a platform API key');
  return ctx.platform;
}

/** The audit actor of a platform key: `platform`, named by the key's configured name. */
export const platformActor = (caller: PlatformCaller) => ({ type: 'platform' as const, id: caller.keyName });

/**
 * The deployment operator's routes (`contract.platform`), written once for the server and the mock: list
 * and read every tenant, suspend one or make it active again.
 */
export const platformHandlers = (deps: PlatformDeps): Handlers<typeof contract.platform> => ({
  listTenants: async ({ query }, ctx) => {
    platformCallerOf(ctx);
    const rows = await deps.uow.read((repos) =>
      repos.tenants.list({ ...pageRequest(query), q: query.q, status: query.status }),
    );
    return { status: 200, body: toPage(rows, query.limit, platformTenantView) };
  },

  getTenant: async ({ params }, ctx) => {
    platformCallerOf(ctx);
    const tenant = await deps.uow.read((repos) => repos.tenants.find(params.id));
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    return { status: 200, body: platformTenantView(tenant) };
  },

  /** A tenant's usage in a calendar month (UTC): see `UsageFigures`. */
  tenantUsage: async ({ params, query }, ctx) => {
    platformCallerOf(ctx);
    const period = monthPeriod(query.month, deps.clock.now());
    await deps.authorizeCalls?.flush(deps.uow);
    const figures = await deps.uow.read(async (repos) => {
      if (!(await repos.tenants.find(params.id))) throw new AppError('not_found', 'No such tenant');
      return repos.usage.figures(params.id, period.from, period.to);
    });
    return {
      status: 200,
      body: {
        tenant_id: params.id,
        month: period.month,
        from: period.from.toISOString(),
        to: period.to.toISOString(),
        accounts: figures.accounts,
        monthly_active_accounts: figures.activeAccounts,
        sign_ins: figures.signIns,
        authorize_calls: figures.authorizeCalls,
      },
    };
  },

  /**
   * Suspends a tenant or makes it active again, audited in the tenant's log (`tenants.suspended`,
   * `tenants.reactivated`, actor `platform`). Asking for the status it has changes nothing.
   */
  updateTenant: async ({ params, body }, ctx) => {
    const caller = platformCallerOf(ctx);
    const tenant = await deps.uow.transaction(async (repos) => {
      const current = await repos.tenants.find(params.id, { lock: true });
      if (!current) throw new AppError('not_found', 'No such tenant');
      if (current.status === body.status) return current;
      const updated = await repos.tenants.update(current.id, {
        status: body.status,
        statusReason: body.reason ?? null,
        statusChangedAt: deps.clock.now(),
        deletionDueAt: null,
      });
      repos.audit.record({
        action:
          body.status === 'suspended'
            ? 'tenants.suspended'
            : current.status === 'pending_deletion'
              ? 'tenants.deletion_cancelled'
              : 'tenants.reactivated',
        actor: platformActor(caller),
        tenantId: current.id,
        target: { type: 'tenant', id: current.id },
        ...ctx.client,
        details: { from: current.status, to: body.status, reason: body.reason ?? null },
      });
      return updated;
    });
    return { status: 200, body: platformTenantView(tenant) };
  },

  /**
   * Schedules the tenant's deletion: `pending_deletion` (refused like a suspended tenant) until
   * `deletion_due_at`, when `deleteDueTenants` deletes it. Asking again changes nothing.
   */
  deleteTenant: async ({ params }, ctx) => {
    const caller = platformCallerOf(ctx);
    const tenant = await deps.uow.transaction(async (repos) => {
      const current = await repos.tenants.find(params.id, { lock: true });
      if (!current) throw new AppError('not_found', 'No such tenant');
      if (current.status === 'pending_deletion') return current;
      const now = deps.clock.now();
      const due = new Date(now.getTime() + deps.deletionGraceSeconds * 1000);
      const updated = await repos.tenants.update(current.id, {
        status: 'pending_deletion',
        statusReason: null,
        statusChangedAt: now,
        deletionDueAt: due,
      });
      repos.audit.record({
        action: 'tenants.deletion_scheduled',
        actor: platformActor(caller),
        tenantId: current.id,
        target: { type: 'tenant', id: current.id },
        ...ctx.client,
        details: { from: current.status, deletion_due_at: due.toISOString() },
      });
      return updated;
    });
    return { status: 202, body: platformTenantView(tenant) };
  },
});

/**
 * The deletion job: every tenant whose grace has passed is deleted, each in its own unit of work (a
 * tenant made active meanwhile is skipped: the lock and the re-check see it), with a tenant-less audit
 * event (`tenants.deleted`, actor `system`) that names the tenant's id and code, nothing personal.
 */
export async function deleteDueTenants(deps: { uow: UnitOfWork; clock: Clock }, limit = 20): Promise<number> {
  const due = await deps.uow.read((repos) => repos.tenants.dueForDeletion(deps.clock.now(), limit));
  let deleted = 0;
  for (const candidate of due) {
    const gone = await deps.uow.transaction(async (repos) => {
      const tenant = await repos.tenants.find(candidate.id, { lock: true });
      const now = deps.clock.now();
      if (tenant?.status !== 'pending_deletion' || !tenant.deletionDueAt || tenant.deletionDueAt > now) {
        return false;
      }
      const { persons } = await repos.tenants.erase(tenant.id);
      repos.audit.record({
        action: 'tenants.deleted',
        actor: { type: 'system' },
        tenantId: null,
        target: { type: 'tenant', id: tenant.id },
        details: { tenant_code: tenant.code, persons_erased: persons },
      });
      return true;
    });
    if (gone) deleted++;
  }
  return deleted;
}
