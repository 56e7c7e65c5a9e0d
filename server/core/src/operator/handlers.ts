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
}

/** A tenant as the operator sees it. */
export const platformTenantView = (tenant: TenantRecord): PlatformTenant => ({
  id: tenant.id,
  code: tenant.code,
  name: tenant.name,
  status: tenant.status,
  status_reason: tenant.statusReason,
  status_changed_at: tenant.statusChangedAt?.toISOString() ?? null,
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
      });
      repos.audit.record({
        action: body.status === 'suspended' ? 'tenants.suspended' : 'tenants.reactivated',
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
});
