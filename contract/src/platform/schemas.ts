import { z } from 'zod';
import { idSchema, paginated, paginationQuerySchema, timestampSchema } from '../common/schemas';
import { storableText } from '../common/text';

/**
 * The platform operator's API (`/platform/*`): whoever runs the deployment lists, suspends and deletes
 * tenants with a platform API key (`enfp_…`, set by configuration), never with a tenant's key or a user's
 * token. Each key carries some of these scopes.
 */
export const platformScopes = [
  'platform.tenants.read',
  'platform.tenants.update',
  'platform.tenants.delete',
] as const;
export type PlatformScope = (typeof platformScopes)[number];
export const platformScopeSchema = z.enum(platformScopes);

/**
 * Where a tenant stands: `active`; `suspended` by the operator (its sign-ins, refreshes, API keys and
 * tokens are refused until it is active again); `pending_deletion` (`DELETE /platform/tenants/{id}`):
 * refused like a suspended one, and deleted with its data at `deletion_due_at` unless made active before.
 */
export const tenantStatuses = ['active', 'suspended', 'pending_deletion'] as const;
export type TenantStatus = (typeof tenantStatuses)[number];
export const tenantStatusSchema = z.enum(tenantStatuses);
/** What `PATCH /platform/tenants/{id}` may set (deletion is `DELETE`). */
export const settableTenantStatusSchema = z.enum(['active', 'suspended']);

/** A tenant as the operator sees it: who it is and where it stands, not its configuration. */
export const platformTenantSchema = z.object({
  id: idSchema,
  code: z.string(),
  name: z.string(),
  status: tenantStatusSchema,
  /** Why the operator last changed the status (null when never changed). */
  status_reason: z.string().nullable(),
  /** When the status last changed (null when never changed). */
  status_changed_at: timestampSchema.nullable(),
  /** With `pending_deletion`: when the tenant and its data will be deleted; null otherwise. */
  deletion_due_at: timestampSchema.nullable(),
  created_at: timestampSchema,
});
export type PlatformTenant = z.infer<typeof platformTenantSchema>;

/** `GET /platform/tenants?q=&status=&limit=&cursor=`: `q` matches a name (contains, any case) or a code. */
export const platformTenantsQuerySchema = paginationQuerySchema.extend({
  q: z.string().trim().min(1).max(100).check(storableText).optional(),
  status: tenantStatusSchema.optional(),
});
export type PlatformTenantsQuery = z.infer<typeof platformTenantsQuerySchema>;

export const platformTenantListSchema = paginated(platformTenantSchema);

/** `PATCH /platform/tenants/{id}`: suspend (a reason is required) or make active again. */
export const updatePlatformTenantSchema = z
  .strictObject({
    status: settableTenantStatusSchema,
    reason: z.string().trim().min(1).max(500).check(storableText).optional(),
  })
  .refine((body) => body.status !== 'suspended' || body.reason !== undefined, {
    path: ['reason'],
    message: 'say why the tenant is suspended',
  });
export type UpdatePlatformTenant = z.infer<typeof updatePlatformTenantSchema>;

/** `GET /platform/tenants/{id}/usage?month=YYYY-MM` (default: the current month, UTC). */
export const platformUsageQuerySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .optional(),
});
export type PlatformUsageQuery = z.infer<typeof platformUsageQuerySchema>;

/** A tenant's usage in one calendar month (UTC), for billing and dashboards. */
export const platformTenantUsageSchema = z.object({
  tenant_id: idSchema,
  /** `YYYY-MM`. */
  month: z.string(),
  /** The period: `[from, to)`, UTC midnights. */
  from: timestampSchema,
  to: timestampSchema,
  /** Accounts created before the month's end and not deleted. */
  accounts: z.number().int().nonnegative(),
  /** Distinct accounts that signed in or used a session (a refresh) during the month. */
  monthly_active_accounts: z.number().int().nonnegative(),
  /** Successful sign-ins during the month. */
  sign_ins: z.number().int().nonnegative(),
  /** `POST /authorize`, `/authorize/batch` and `/authorize/filter` calls answered during the month. */
  authorize_calls: z.number().int().nonnegative(),
});
export type PlatformTenantUsage = z.infer<typeof platformTenantUsageSchema>;
