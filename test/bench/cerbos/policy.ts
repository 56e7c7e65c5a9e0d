import { isDeepStrictEqual } from 'node:util';
import type { PolicyDocument } from '@enforcer/contract/policy';

/**
 * The Cerbos policy equivalent to an Enforcer policy document for one resource type (the bench
 * uses the default tenant policy and `account`), generated from the document so the two cannot
 * drift apart unnoticed:
 *
 * - each role's permissions become one `EFFECT_ALLOW` rule for that role. Enforcer's action
 *   patterns are kept as they are: Cerbos matches `accounts.*` against `accounts.read` and
 *   `accounts.notes.read` and `*` against everything, as Enforcer does (the agreement check
 *   asks both about patterned actions);
 * - each group becomes a derived role of every role (`parentRoles: ['*']`) whose condition is
 *   membership (`"verified" in P.attr.groups`), and its permissions an `EFFECT_ALLOW` rule for it;
 * - the tenant check Enforcer makes before anything else (the record's `tenant_attribute` must be
 *   the subject's tenant) is an `EFFECT_DENY` rule for every action and role;
 * - the document's rules about this resource type: the conditions are written in CEL by hand, in
 *   `conditions` below, each beside the Enforcer condition it translates; a rule this file does not
 *   know, or whose condition changed, stops the bench instead of being left out.
 *
 * Cerbos's deny-overrides matches Enforcer's order (tenant, then deny rules, then grants). Subjects
 * travel as principals: `id`, `roles`, and `attr` `{ tenant_id, person_id, groups }`; records as
 * resources of kind `account` whose `attr` are the record's attributes.
 */

/** Hand-written CEL for each Enforcer rule condition the bench's policy holds, checked against it. */
const conditions: Record<string, { enforcer: unknown; cel: string }> = {
  'members-read-their-own-account': {
    enforcer: { eq: ['resource.id', { ref: 'subject.id' }] },
    cel: 'R.attr.id == P.id',
  },
  'inactive-accounts-cannot-be-promoted': {
    enforcer: { eq: ['resource.active', false] },
    cel: 'R.attr.active == false',
  },
};

export interface CerbosPolicyFiles {
  /** File name → content (JSON, which Cerbos reads as YAML). */
  [file: string]: string;
}

interface CerbosRule {
  name: string;
  actions: string[];
  effect: 'EFFECT_ALLOW' | 'EFFECT_DENY';
  roles?: string[];
  derivedRoles?: string[];
  condition?: { match: { expr: string } };
}

export function cerbosPolicyFor(document: PolicyDocument, resourceType: string): CerbosPolicyFiles {
  const resource = document.resources[resourceType];
  if (!resource) throw new Error(`the policy has no resource type ${resourceType}`);
  const tenantAttribute = resource.tenant_attribute;
  const derivedRoleName = (group: string) => `group_${group}`;

  const rules: CerbosRule[] = [];
  if (tenantAttribute) {
    rules.push({
      name: 'tenant',
      actions: ['*'],
      effect: 'EFFECT_DENY',
      roles: ['*'],
      condition: {
        match: {
          expr: `!has(R.attr.${tenantAttribute}) || R.attr.${tenantAttribute} != P.attr.tenant_id`,
        },
      },
    });
  }
  for (const [index, rule] of (document.rules ?? []).entries()) {
    if (rule.resource !== undefined && rule.resource !== resourceType) continue;
    const id = rule.id ?? `rules[${index}]`;
    const known = conditions[id];
    if (rule.condition !== undefined && !known)
      throw new Error(`rule ${id} has no CEL translation in test/bench/cerbos/policy.ts: add one`);
    if (known && !isDeepStrictEqual(known.enforcer, rule.condition))
      throw new Error(`rule ${id}'s condition changed: update its CEL in test/bench/cerbos/policy.ts`);
    rules.push({
      name: id.replace(/[^\w.-]/g, '_'),
      actions: [...rule.actions],
      effect: rule.effect === 'allow' ? 'EFFECT_ALLOW' : 'EFFECT_DENY',
      roles: ['*'],
      ...(known && { condition: { match: { expr: known.cel } } }),
    });
  }
  for (const [role, { permissions }] of Object.entries(document.roles ?? {})) {
    if (permissions.length > 0)
      rules.push({ name: `role_${role}`, actions: [...permissions], effect: 'EFFECT_ALLOW', roles: [role] });
  }
  const groups = Object.entries(document.groups ?? {});
  for (const [group, { permissions }] of groups) {
    if (permissions.length > 0)
      rules.push({
        name: `group_${group}`,
        actions: [...permissions],
        effect: 'EFFECT_ALLOW',
        derivedRoles: [derivedRoleName(group)],
      });
  }

  const derivedRoles = {
    apiVersion: 'api.cerbos.dev/v1',
    derivedRoles: {
      name: 'enforcer_groups',
      definitions: groups.map(([group]) => ({
        name: derivedRoleName(group),
        parentRoles: ['*'],
        condition: { match: { expr: `${JSON.stringify(group)} in P.attr.groups` } },
      })),
    },
  };
  const resourcePolicy = {
    apiVersion: 'api.cerbos.dev/v1',
    resourcePolicy: {
      resource: resourceType,
      version: 'default',
      ...(groups.length > 0 && { importDerivedRoles: ['enforcer_groups'] }),
      rules,
    },
  };
  return {
    ...(groups.length > 0 && { 'derived_roles.yaml': JSON.stringify(derivedRoles, null, 2) }),
    [`${resourceType}.yaml`]: JSON.stringify(resourcePolicy, null, 2),
  };
}
