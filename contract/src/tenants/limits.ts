import { z } from 'zod';

/**
 * A tenant's limits on roles and groups (as seed 001 has them) and on the codes it sends, set with
 * `PATCH /tenants/{id}` (`limits`, each key optional; `null` puts one back to its default) and shown on
 * the tenant with every default filled in. Going over a role or group limit is `400 limit_exceeded`;
 * lowering one leaves what exists in place, and only refuses what would add to it. Going over a send
 * limit is `429 rate_limited` with `Retry-After`.
 */
export const tenantLimitDefaults = Object.freeze({
  /** Permission patterns one role may grant (`POST /roles`, `PATCH /roles/{name}`, `PUT /policy`). */
  max_permissions_per_role: 100,
  /** Permission patterns one group may grant (`POST /groups`, `PATCH /groups/{id}`, `PUT /policy`). */
  max_permissions_per_group: 100,
  /** Groups one account may belong to (`POST /groups/{id}/members`). */
  max_groups_per_account: 50,
  /** Roles one account may hold (`POST /accounts/{id}/roles`). */
  max_roles_per_account: 10,
  /** Codes (email and SMS) the tenant's sign-in and reset requests may send in one clock hour. */
  max_code_sends_per_hour: 1_000,
  /** SMS codes the tenant may send in one UTC day: the budget that caps what SMS pumping can cost. */
  max_sms_per_day: 500,
});
export type TenantLimitName = keyof typeof tenantLimitDefaults;

/** The hard ceiling of every limit (the policy schema's own bound on a permission list). */
export const tenantLimitCeiling = 500;

const limitValue = z.number().int().min(1).max(tenantLimitCeiling);
/** Send budgets count messages, not list entries: their ceiling is a volume, not the schema's bound. */
const sendLimitValue = z.number().int().min(1).max(1_000_000);

/** Each limit's values. */
const limitValues = {
  max_permissions_per_role: limitValue,
  max_permissions_per_group: limitValue,
  max_groups_per_account: limitValue,
  max_roles_per_account: limitValue,
  max_code_sends_per_hour: sendLimitValue,
  max_sms_per_day: sendLimitValue,
} satisfies Record<TenantLimitName, z.ZodType<number>>;

/** The limits as the API shows them: every one, defaults filled in. */
export const tenantLimitsSchema = z.object(limitValues);
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;

/** `PATCH /tenants/{id}`'s `limits`: the ones named change; `null` restores the default. */
export const tenantLimitsPatchSchema = z
  .strictObject({
    max_permissions_per_role: limitValue.nullable().optional(),
    max_permissions_per_group: limitValue.nullable().optional(),
    max_groups_per_account: limitValue.nullable().optional(),
    max_roles_per_account: limitValue.nullable().optional(),
    max_code_sends_per_hour: sendLimitValue.nullable().optional(),
    max_sms_per_day: sendLimitValue.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'name at least one limit');
export type TenantLimitsPatch = z.infer<typeof tenantLimitsPatchSchema>;

/** The limits in force, from what a tenant stored (values that do not parse count as unset). */
export function tenantLimitsOf(stored: Record<string, unknown> | null | undefined): TenantLimits {
  const limits: Record<string, number> = { ...tenantLimitDefaults };
  for (const key of Object.keys(tenantLimitDefaults) as TenantLimitName[]) {
    const parsed = limitValues[key].safeParse(stored?.[key]);
    if (parsed.success) limits[key] = parsed.data;
  }
  return limits as TenantLimits;
}
