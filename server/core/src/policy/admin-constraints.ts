import type { FieldError } from '@enforcer/contract';
import { builtInRoles, defaultPolicy } from '@enforcer/contract';
import { type Condition, formatPath, type PolicyDocument } from '@enforcer/contract/policy';
import { adminResourceTypes } from './resources.js';

/**
 * What a tenant's policy must keep for Enforcer's own endpoints to work, beyond what the
 * engine itself validates (checked by `PUT /policy` after `validatePolicyDocument`):
 *
 * - the built-in roles (`owner`, `admin`, `member`) stay defined (their permissions may change);
 * - the resource types the admin endpoints decide on (`account`, `group`, `api_key`) stay
 *   declared, with `tenant_id` as their tenant attribute and only attributes the server has
 *   columns for, with the same types: list endpoints turn plans on them into database filters;
 * - rules on those types do not compare two attributes of the record, which a MikroORM
 *   filter cannot express (the engine refuses to approximate).
 *
 * Each problem is a field error whose path points into the body, like the engine's.
 */
export function adminConstraintIssues(document: PolicyDocument): FieldError[] {
  const issues: FieldError[] = [];
  const at = (path: (string | number)[], message: string) =>
    issues.push({ path: `body.${formatPath(path)}`, message });
  const defaults = defaultPolicy().resources;

  for (const role of builtInRoles) {
    if (!Object.hasOwn(document.roles, role))
      at(['roles', role], `the built-in role "${role}" cannot be removed`);
  }

  for (const type of adminResourceTypes) {
    const expected = defaults[type]!;
    if (!Object.hasOwn(document.resources, type)) {
      at(['resources', type], `Enforcer's own endpoints decide on "${type}": it cannot be removed`);
      continue;
    }
    const declared = document.resources[type]!;
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
    if (
      rule.resource === undefined ||
      !(adminResourceTypes as readonly string[]).includes(rule.resource) ||
      !rule.condition
    ) {
      return;
    }
    for (const path of recordToRecordComparisons(rule.condition, ['rules', index, 'condition'])) {
      at(path, `rules on "${rule.resource}" cannot compare two attributes of the record`);
    }
  });
  return issues;
}

const isResourceRef = (operand: unknown): boolean =>
  typeof operand === 'object' &&
  operand !== null &&
  'ref' in operand &&
  typeof operand.ref === 'string' &&
  operand.ref.startsWith('resource.');

/** Paths of comparisons whose right-hand side is another attribute of the record. */
function recordToRecordComparisons(condition: Condition, path: (string | number)[]): (string | number)[][] {
  if ('and' in condition)
    return condition.and.flatMap((c, i) => recordToRecordComparisons(c, [...path, 'and', i]));
  if ('or' in condition)
    return condition.or.flatMap((c, i) => recordToRecordComparisons(c, [...path, 'or', i]));
  if ('not' in condition) return recordToRecordComparisons(condition.not, [...path, 'not']);
  if ('exists' in condition) return [];
  const [op, operands] = Object.entries(condition)[0] as [string, [string, unknown]];
  return isResourceRef(operands[1]) ? [[...path, op, 1]] : [];
}
