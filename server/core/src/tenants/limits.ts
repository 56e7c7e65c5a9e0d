import { type TenantLimits, tenantLimitsOf } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';
import { AppError } from '../errors.js';
import type { Repositories } from '../store.js';

/**
 * A tenant's limits on roles and groups (contract/src/tenants/limits.ts: defaults, `PATCH /tenants/{id}`),
 * enforced here once for every write that could go over one: `400 limit_exceeded`, naming the limit. What
 * already exists is never refused for a limit lowered later; only what a write adds or changes is checked.
 */
export const tenantLimits = async (repos: Repositories, tenantId: string): Promise<TenantLimits> =>
  tenantLimitsOf((await repos.tenants.find(tenantId))?.limits);

/** `400 limit_exceeded` when a role or group would grant more permission patterns than the tenant allows. */
export function assertPermissionLimit(
  limits: TenantLimits,
  kind: 'role' | 'group',
  name: string,
  permissions: readonly string[],
): void {
  const key = kind === 'role' ? 'max_permissions_per_role' : 'max_permissions_per_group';
  const max = limits[key];
  if (permissions.length > max) {
    throw new AppError(
      'limit_exceeded',
      `The ${kind} "${name}" would grant ${permissions.length} permissions; this tenant allows at most ${max} per ${kind} (limits.${key})`,
    );
  }
}

/** Every role and group of `next` that is new or whose permissions changed since `before`, within the limits. */
export function assertDocumentWithinLimits(
  limits: TenantLimits,
  before: PolicyDocument,
  next: PolicyDocument,
): void {
  const same = (a: readonly string[] | undefined, b: readonly string[]) =>
    a !== undefined && a.length === b.length && a.every((p, i) => p === b[i]);
  for (const [kind, grants, old] of [
    ['role', next.roles, before.roles],
    ['group', next.groups ?? {}, before.groups ?? {}],
  ] as const) {
    for (const [name, grant] of Object.entries(grants)) {
      const previous = Object.hasOwn(old, name) ? old[name]?.permissions : undefined;
      if (!same(previous, grant.permissions)) assertPermissionLimit(limits, kind, name, grant.permissions);
    }
  }
}

/** `400 limit_exceeded` when an account already in `count` groups would join one more. */
export function assertGroupsPerAccount(limits: TenantLimits, count: number): void {
  const max = limits.max_groups_per_account;
  if (count >= max) {
    throw new AppError(
      'limit_exceeded',
      `This account is in ${count} groups; this tenant allows at most ${max} per account (limits.max_groups_per_account)`,
    );
  }
}

/** `400 limit_exceeded` when an account already holding `count` roles would get one more. */
export function assertRolesPerAccount(limits: TenantLimits, count: number): void {
  const max = limits.max_roles_per_account;
  if (count >= max) {
    throw new AppError(
      'limit_exceeded',
      `This account holds ${count} roles; this tenant allows at most ${max} per account (limits.max_roles_per_account)`,
    );
  }
}
