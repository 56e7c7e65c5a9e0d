import type { Action, Plan, Reason, Resource } from '@enforcer/contract/policy';
import type { Decision, Verifier } from '../create-verifier';
import type { Principal } from '../principal';

/** What the middleware puts on a request: the principal, and decisions about it. */
export interface EnforcerContext {
  readonly principal: Principal;
  authorize(action: Action, resource?: Resource): Decision;
  can(action: Action, resource?: Resource): boolean;
  filter(action: Action, resourceType: string): Plan;
}

export function contextFor(verifier: Verifier, principal: Principal): EnforcerContext {
  return {
    principal,
    authorize: (action, resource) => verifier.authorize(principal, action, resource),
    can: (action, resource) => verifier.can(principal, action, resource),
    filter: (action, resourceType) => verifier.filter(principal, action, resourceType),
  };
}

/** What decided a denial, as the engine says (`reason.kind` of `authorize`). */
export type DenialReason = Exclude<
  Reason['kind'],
  'allowed_by_role' | 'allowed_by_group' | 'allowed_by_scope' | 'allowed_by_rule'
>;

/** The 403's detail for each denial: what the engine found, never a rule's name or a record's contents. */
function denialDetail(reason: Reason, permission: string): string {
  switch (reason.kind) {
    case 'denied_by_rule':
      return `A policy rule denies "${permission}" here`;
    case 'tenant_mismatch':
      return 'The record belongs to another tenant';
    case 'unknown_resource_type':
      return `The policy declares no resource type "${reason.resource_type}"`;
    default:
      return `Missing permission "${permission}"`;
  }
}

/**
 * Checks a permission for the request's principal: allowed, or the detail and the engine's reason code
 * for the 403 `forbidden` (throws the verifier's error when the principal no longer stands).
 */
export function checkPermission(
  context: EnforcerContext,
  permission: string,
  resource: Resource | undefined,
): { allowed: true } | { allowed: false; detail: string; reason: DenialReason } {
  const decision = context.authorize(permission, resource);
  if (decision.allowed) return { allowed: true };
  return {
    allowed: false,
    detail: denialDetail(decision.reason, permission),
    reason: decision.reason.kind as DenialReason,
  };
}
