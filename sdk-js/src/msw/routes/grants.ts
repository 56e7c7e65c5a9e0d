import type { FieldError } from '@enforcer/contract';
import { builtInRoles, defaultPolicy, patternCovers } from '@enforcer/contract';
import {
  type CompiledPolicy,
  type Condition,
  formatPath,
  type PolicyDocument,
  type Resource,
  type Subject,
} from '@enforcer/contract/policy';
import type { MockContext, Principal } from '../context';
import { subjectOfPrincipal } from '../dispatch';
import { MockError } from '../problem';
import type { AccountRow, ApiKeyRow } from '../store';

/**
 * The server's rank rules and record checks (server/src/domains/policy/grants.ts, visible.ts,
 * resources.ts, admin-constraints.ts), for the mock's admin routes.
 */

export const accountResource = (a: AccountRow): Resource => ({
  type: 'account',
  attributes: {
    id: a.id,
    tenant_id: a.tenantId,
    person_id: a.personId,
    role: a.role,
    active: a.active,
    created_at: new Date(a.createdAt).toISOString(),
  },
});

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

/** The roles that, held alone, let an account of `tenantId` change the tenant's policy. */
export const managerRoles = (compiled: CompiledPolicy, tenantId: string): string[] =>
  Object.keys(compiled.document.roles).filter((role) =>
    compiled.can({ id: '', tenant_id: tenantId, roles: [role], groups: [] }, 'policy.update'),
  );

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

/** What a policy document must keep for Enforcer's own endpoints (400 invalid_policy otherwise). */
export function adminConstraintIssues(document: PolicyDocument): FieldError[] {
  const issues: FieldError[] = [];
  const at = (path: (string | number)[], message: string) =>
    issues.push({ path: `body.${formatPath(path)}`, message });
  const defaults = defaultPolicy().resources;
  for (const role of builtInRoles) {
    if (!Object.hasOwn(document.roles, role))
      at(['roles', role], `the built-in role "${role}" cannot be removed`);
  }
  for (const type of ['account', 'group', 'api_key']) {
    const expected = defaults[type]!;
    const declared = Object.hasOwn(document.resources, type) ? document.resources[type] : undefined;
    if (!declared) {
      at(['resources', type], `Enforcer's own endpoints decide on "${type}": it cannot be removed`);
      continue;
    }
    if (declared.tenant_attribute !== expected.tenant_attribute) {
      at(['resources', type, 'tenant_attribute'], `must be "${expected.tenant_attribute}"`);
    }
    for (const [name, attributeType] of Object.entries(declared.attributes)) {
      const known = Object.hasOwn(expected.attributes, name) ? expected.attributes[name] : undefined;
      if (known === undefined) {
        at(
          ['resources', type, 'attributes', name],
          `"${type}" records have no "${name}"; known: ${Object.keys(expected.attributes).join(', ')}`,
        );
      } else if (known !== attributeType) {
        at(['resources', type, 'attributes', name], `must be "${known}"`);
      }
    }
  }
  (document.rules ?? []).forEach((rule, index) => {
    if (!rule.resource || !['account', 'group', 'api_key'].includes(rule.resource) || !rule.condition) return;
    for (const path of recordToRecord(rule.condition, ['rules', index, 'condition'])) {
      at(path, `rules on "${rule.resource}" cannot compare two attributes of the record`);
    }
  });
  return issues;
}

function recordToRecord(condition: Condition, path: (string | number)[]): (string | number)[][] {
  if ('and' in condition) return condition.and.flatMap((c, i) => recordToRecord(c, [...path, 'and', i]));
  if ('or' in condition) return condition.or.flatMap((c, i) => recordToRecord(c, [...path, 'or', i]));
  if ('not' in condition) return recordToRecord(condition.not, [...path, 'not']);
  if ('exists' in condition) return [];
  const [op, operands] = Object.entries(condition)[0] as [string, [string, unknown]];
  const right = operands[1];
  const isRef =
    typeof right === 'object' &&
    right !== null &&
    'ref' in right &&
    String((right as { ref: string }).ref).startsWith('resource.');
  return isRef ? [[...path, op, 1]] : [];
}
