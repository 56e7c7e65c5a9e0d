import {
  type MikroOrmFields,
  type MikroOrmFilter,
  type Plan,
  PlanConversionError,
  type Resource,
  type Subject,
  toMikroOrm,
} from '@enforcer/contract/policy';
import { requireAllowedFor } from '@enforcer/core';
import type { TenantPolicy } from './tenant-policy.js';

/**
 * The records of `resourceType` that `subject` may `action`, as a MikroORM filter: the
 * engine's plan (tenant condition included) through the MikroORM adapter. List endpoints
 * AND it with their own filters and pagination, so what a list shows is exactly what
 * `can()` allows record by record.
 */
export function visibleFilter(
  policy: TenantPolicy,
  subject: Subject,
  action: string,
  resourceType: string,
  fields: MikroOrmFields,
): MikroOrmFilter {
  return planFilter(policy.compiled.plan(subject, action, resourceType), fields);
}

/** A plan (a list's `visible`, from the core) as a MikroORM filter on the entity `fields` describes. */
export function planFilter(plan: Plan, fields: MikroOrmFields): MikroOrmFilter {
  try {
    return toMikroOrm(plan, fields);
  } catch (error) {
    // PUT /policy refuses documents whose plans for these types could not be expressed
    // (admin-constraints.ts), so this is a bug, not bad input: a 500 that names nothing.
    if (error instanceof PlanConversionError) {
      throw new Error(`policy plan for ${plan.resource_type} cannot be a filter: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** May `subject` do `action` to this one record? */
export const canOn = (policy: TenantPolicy, subject: Subject, action: string, resource: Resource): boolean =>
  policy.compiled.can(subject, action, resource);

/** A single-record check (404 when the caller may not see the record, 403 when it may but not do this): the core's. */
export const requireAllowed = (
  policy: TenantPolicy,
  subject: Subject,
  check: { action: string; readAction: string; resource: Resource; what: string },
): void => requireAllowedFor(policy, subject, check);
