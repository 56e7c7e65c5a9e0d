import {
  type MikroOrmFields,
  type MikroOrmFilter,
  PlanConversionError,
  type Resource,
  type Subject,
  toMikroOrm,
} from '@enforcer/contract/policy';
import { AppError } from '../../lib/errors.js';
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
  const plan = policy.compiled.plan(subject, action, resourceType);
  try {
    return toMikroOrm(plan, fields);
  } catch (error) {
    // PUT /policy refuses documents whose plans for these types could not be expressed
    // (admin-constraints.ts), so this is a bug, not bad input: a 500 that names nothing.
    if (error instanceof PlanConversionError) {
      throw new Error(`policy plan for ${resourceType}/${action} cannot be a filter: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** May `subject` do `action` to this one record? */
export const canOn = (policy: TenantPolicy, subject: Subject, action: string, resource: Resource): boolean =>
  policy.compiled.can(subject, action, resource);

/**
 * A single-record check for an endpoint that acts on a record: allowed, or `404 not_found`
 * when the caller may not even see the record (as for another tenant's), or `403 forbidden`
 * when it may see it but not do this.
 */
export function requireAllowed(
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
