import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema } from '../common/schemas';
import {
  platformTenantListSchema,
  platformTenantSchema,
  platformTenantsQuerySchema,
  platformTenantUsageSchema,
  platformUsageQuerySchema,
  updatePlatformTenantSchema,
} from './schemas';

const meta = routeMeta('Platform');

/** The deployment operator's routes: only a platform API key (`enfp_…`) reaches them. */
export const platformContract = c.router({
  listTenants: {
    method: 'GET',
    path: '/platform/tenants',
    summary: 'List every tenant of the deployment (platform key)',
    description:
      'Search by name (contains, any case) or code (exact) with `q`, filter by `status`; oldest first, cursor pagination. Needs a platform API key with `platform.tenants.read`.',
    query: platformTenantsQuerySchema,
    responses: { 200: platformTenantListSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'platform', permission: 'platform.tenants.read' }),
  },
  getTenant: {
    method: 'GET',
    path: '/platform/tenants/:id',
    summary: 'One tenant and where it stands (platform key)',
    pathParams: idParamsSchema,
    responses: { 200: platformTenantSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'platform', permission: 'platform.tenants.read' }),
  },
  tenantUsage: {
    method: 'GET',
    path: '/platform/tenants/:id/usage',
    summary:
      "A tenant's usage in a month: accounts, monthly active accounts, sign-ins, authorize calls (platform key)",
    description:
      'For billing and dashboards. `month=YYYY-MM` (default: the current month, UTC). Sign-ins and active accounts come from the audit log and sessions; authorize calls from a counter each server flushes every minute, so the current month may lag by up to a minute.',
    pathParams: idParamsSchema,
    query: platformUsageQuerySchema,
    responses: { 200: platformTenantUsageSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'platform', permission: 'platform.tenants.read' }),
  },
  updateTenant: {
    method: 'PATCH',
    path: '/platform/tenants/:id',
    summary:
      'Suspend a tenant (with a reason) or make it active again, which also cancels a deletion (platform key)',
    description:
      "A suspended tenant's sign-ins, refreshes and API keys are refused (`403 tenant_suspended`) and its access tokens stop working, on the server and in verifiers (the revocation feed answers `403 tenant_suspended`). Its sessions are kept: making it active again restores them.",
    pathParams: idParamsSchema,
    body: updatePlatformTenantSchema,
    responses: { 200: platformTenantSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'platform', permission: 'platform.tenants.update' }),
  },
  deleteTenant: {
    method: 'DELETE',
    path: '/platform/tenants/:id',
    summary: 'Schedule a tenant for deletion after the grace period (platform key)',
    description:
      'The tenant becomes `pending_deletion`: refused like a suspended one (`403 tenant_suspended`) at once, and deleted with all its rows (and the personal data of persons who belong to no other tenant) by a job once `deletion_due_at` (now + `ENFORCER_TENANT_DELETION_GRACE`, default 30 days) has passed. `PATCH` with `status: active` before then cancels it. Asking again changes nothing.',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 202: platformTenantSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'platform', permission: 'platform.tenants.delete' }),
  },
});
