import { managementActions, uncoveredPatterns } from '@enforcer/contract';
import { actionMatches, type CompiledPolicy, type Resource, type Subject } from '@enforcer/contract/policy';
import { type Caller, subjectOfCaller } from '../caller.js';
import { AppError } from '../errors.js';
import type { TenantPolicy } from './tenant-policy.js';

/**
 * Rank rules: nobody hands out more than they hold. Used for API keys, invites and role changes (a role's
 * patterns against the caller's), and for groups (which of Enforcer's own management actions a group would
 * unlock). Written once here; the server and the mock both call these.
 */

/** The permission patterns the caller holds: its role's and, for a user, its groups'. */
export const callerPermissions = (policy: TenantPolicy, caller: Caller): string[] =>
  policy.compiled.permissions(subjectOfCaller(caller));

/** Does the caller hold `action` (a resource-less check against the tenant's policy)? */
export const callerCan = (policy: TenantPolicy, caller: Caller, action: string): boolean =>
  policy.compiled.can(subjectOfCaller(caller), action);

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
  caller: Caller,
  role: string,
  what: string,
): void {
  assertPatternsWithinReach(policy, caller, requireRole(policy, role), `${what} role "${role}"`);
}

/**
 * `403 forbidden` unless the caller holds every permission of every role the account holds: nobody changes
 * an account that holds more than they do. A role the policy no longer has grants nothing, and is no bar.
 */
export function assertRolesWithinReach(
  policy: TenantPolicy,
  caller: Caller,
  account: { roles: readonly string[] },
): void {
  for (const role of account.roles) {
    if (rolePermissions(policy, role)) assertRoleWithinReach(policy, caller, role, "This account's");
  }
}

/**
 * `403 forbidden` when `permissions` hold a pattern the caller's own do not cover: nobody writes a role (or
 * hands one out) granting what they do not hold. `what` names the grant in the message (`The role "x"`).
 */
export function assertPatternsWithinReach(
  policy: TenantPolicy,
  caller: Caller,
  permissions: readonly string[],
  what: string,
): void {
  const missing = uncoveredPatterns(callerPermissions(policy, caller), permissions);
  if (missing.length > 0) {
    throw new AppError(
      'forbidden',
      `${what} grants ${missing.map((m) => `"${m}"`).join(', ')}, which you do not hold`,
    );
  }
}

/** The management actions `permissions` would unlock that the caller cannot do itself. */
export function escalations(policy: TenantPolicy, caller: Caller, permissions: readonly string[]): string[] {
  const subject = subjectOfCaller(caller);
  return managementActions.filter(
    (action) => permissions.some((p) => actionMatches(p, action)) && !policy.compiled.can(subject, action),
  );
}

/** `403 forbidden` when a group with `permissions` unlocks a management action the caller cannot do itself. */
export function assertNoEscalation(
  policy: TenantPolicy,
  caller: Caller,
  permissions: readonly string[],
): void {
  const beyond = escalations(policy, caller, permissions);
  if (beyond.length > 0) {
    throw new AppError(
      'forbidden',
      `This group unlocks ${beyond.map((a) => `"${a}"`).join(', ')}, which you cannot do yourself`,
    );
  }
}

/** The action that makes an account a manager of its tenant: it can change the policy itself. */
export const manageAction = 'policy.update';

/** The roles that, held alone, let an account of `tenantId` change the tenant's policy. */
export function managerRoles(compiled: CompiledPolicy, tenantId: string): string[] {
  return Object.keys(compiled.document.roles).filter((role) =>
    compiled.can({ id: '', tenant_id: tenantId, roles: [role], groups: [] }, manageAction),
  );
}

/**
 * A single-record check for an endpoint that acts on a record: allowed, or `404 not_found` when the caller
 * may not even see the record (as for another tenant's), or `403 forbidden` when it may see it but not do
 * this.
 */
export const requireAllowed = (
  policy: TenantPolicy,
  caller: Caller,
  check: { action: string; readAction: string; resource: Resource; what: string },
): void => requireAllowedFor(policy, subjectOfCaller(caller), check);

/** `requireAllowed` for a subject the caller worked out itself. */
export function requireAllowedFor(
  policy: TenantPolicy,
  subject: Subject,
  check: { action: string; readAction: string; resource: Resource; what: string },
): void {
  const { compiled } = policy;
  if (compiled.can(subject, check.action, check.resource)) return;
  if (check.readAction !== check.action && compiled.can(subject, check.readAction, check.resource)) {
    const { reason } = compiled.explain(subject, check.action, check.resource);
    const why = reason.kind === 'denied_by_rule' ? ` (denied by rule "${reason.rule}")` : '';
    throw new AppError('forbidden', `You may not ${check.action} this ${check.what}${why}`);
  }
  throw new AppError('not_found', `No such ${check.what}`);
}
