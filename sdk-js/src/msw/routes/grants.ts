import { patternCovers } from '@enforcer/contract';
import type { CompiledPolicy, Resource, Subject } from '@enforcer/contract/policy';
import type { MockContext, Principal } from '../context';
import { subjectOfPrincipal } from '../dispatch';
import { MockError } from '../problem';
import type { ApiKeyRow } from '../store';

/**
 * The rank rules and record check the mock's API-key and invite routes still use, until those move to the
 * core (whose policy/grants.ts has the same rules for the routes that moved).
 */
export const apiKeyResource = (k: ApiKeyRow): Resource => ({
  type: 'api_key',
  attributes: {
    id: k.id,
    tenant_id: k.tenantId,
    created_by: k.createdBy,
    created_at: new Date(k.createdAt).toISOString(),
  },
});

const policyOf = (ctx: MockContext, principal: Principal) =>
  ctx.store.policyOf(principal.kind === 'api_key' ? principal.key.tenantId : principal.account.tenantId);

/** A role named in a request body must exist: `400 validation_failed` naming the field otherwise. */
export function requireRole(
  ctx: MockContext,
  principal: Principal,
  role: string,
  path = 'body.role',
): string[] {
  const roles = policyOf(ctx, principal).effective.roles;
  if (!Object.hasOwn(roles, role)) {
    throw new MockError('validation_failed', `There is no role "${role}" in this tenant's policy`, {
      errors: [{ path, message: 'unknown role; GET /roles lists the roles' }],
    });
  }
  return roles[role]!.permissions;
}

/** `403 forbidden` when `role` grants a pattern the caller does not hold (nobody hands out more than they hold). */
export function assertRoleWithinReach(
  ctx: MockContext,
  principal: Principal,
  role: string,
  what: string,
): void {
  const held = policyOf(ctx, principal).compiled.permissions(subjectOfPrincipal(ctx.store, principal));
  const missing = requireRole(ctx, principal, role).filter((w) => !held.some((h) => patternCovers(h, w)));
  if (missing.length > 0) {
    throw new MockError(
      'forbidden',
      `${what} role "${role}" grants ${missing.map((m) => `"${m}"`).join(', ')}, which you do not hold`,
    );
  }
}

/**
 * A single-record check: allowed; `404 not_found` when the caller may not even see the record;
 * `403 forbidden` when it may see it but not do this.
 */
export function requireAllowed(
  compiled: CompiledPolicy,
  subject: Subject,
  check: { action: string; readAction: string; resource: Resource; what: string },
): void {
  if (compiled.can(subject, check.action, check.resource)) return;
  if (check.readAction !== check.action && compiled.can(subject, check.readAction, check.resource)) {
    const { reason } = compiled.explain(subject, check.action, check.resource);
    const why = reason.kind === 'denied_by_rule' ? ` (denied by rule "${reason.rule}")` : '';
    throw new MockError('forbidden', `You may not ${check.action} this ${check.what}${why}`);
  }
  throw new MockError('not_found', `No such ${check.what}`);
}
