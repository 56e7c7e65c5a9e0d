import { managementActions, uncoveredPatterns } from '@enforcer/contract';
import { actionMatches, type CompiledPolicy } from '@enforcer/contract/policy';
import { type Principal, subjectOfPrincipal } from '../../http/principal.js';
import { AppError } from '../../lib/errors.js';
import type { TenantPolicy } from './tenant-policy.js';

/**
 * Rank rules: nobody hands out more than they hold. Used for API keys, invites and role
 * changes (a role's patterns against the actor's), and for groups (which of Enforcer's own
 * management actions a group would unlock).
 */

/** The permission patterns the caller holds: its role's and, for a user, its groups'. */
export const principalPermissions = (policy: TenantPolicy, principal: Principal): string[] =>
  policy.compiled.permissions(subjectOfPrincipal(principal));

/** A role's permission patterns in the effective policy, or undefined when it has no such role. */
export function rolePermissions(policy: TenantPolicy, role: string): string[] | undefined {
  const roles = policy.effective.roles;
  return Object.hasOwn(roles, role) ? roles[role]!.permissions : undefined;
}

/** A role named in a request body must exist: `400 validation_failed` naming the field otherwise. */
export function requireRole(policy: TenantPolicy, role: string, path = 'body.role'): string[] {
  const permissions = rolePermissions(policy, role);
  if (!permissions) {
    throw new AppError('validation_failed', `There is no role "${role}" in this tenant's policy`, {
      errors: [{ path, message: `unknown role; GET /roles lists the roles` }],
    });
  }
  return permissions;
}

/** `403 forbidden` when `role` grants a pattern the caller does not hold. */
export function assertRoleWithinReach(
  policy: TenantPolicy,
  principal: Principal,
  role: string,
  what: string,
): void {
  const missing = uncoveredPatterns(principalPermissions(policy, principal), requireRole(policy, role));
  if (missing.length > 0) {
    throw new AppError(
      'forbidden',
      `${what} role "${role}" grants ${missing.map((m) => `"${m}"`).join(', ')}, which you do not hold`,
    );
  }
}

/** The management actions `permissions` would unlock that the caller cannot do itself. */
export function escalations(policy: TenantPolicy, principal: Principal, permissions: readonly string[]) {
  const subject = subjectOfPrincipal(principal);
  return managementActions.filter(
    (action) => permissions.some((p) => actionMatches(p, action)) && !policy.compiled.can(subject, action),
  );
}

/** The action that makes an account a manager of its tenant: it can change the policy itself. */
export const manageAction = 'policy.update';

/** The roles that, held alone, let an account of `tenantId` change the tenant's policy. */
export function managerRoles(compiled: CompiledPolicy, tenantId: string): string[] {
  return Object.keys(compiled.document.roles).filter((role) =>
    compiled.can({ id: '', tenant_id: tenantId, roles: [role], groups: [] }, manageAction),
  );
}
