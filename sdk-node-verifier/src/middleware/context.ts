import type { Plan, Resource } from '@enforcer/contract/policy';
import type { Decision, Verifier } from '../create-verifier';
import type { Principal } from '../principal';

/** What the middleware puts on a request: the principal, and decisions about it. */
export interface EnforcerContext {
  readonly principal: Principal;
  authorize(action: string, resource?: Resource): Decision;
  can(action: string, resource?: Resource): boolean;
  filter(action: string, resourceType: string): Plan;
}

export function contextFor(verifier: Verifier, principal: Principal): EnforcerContext {
  return {
    principal,
    authorize: (action, resource) => verifier.authorize(principal, action, resource),
    can: (action, resource) => verifier.can(principal, action, resource),
    filter: (action, resourceType) => verifier.filter(principal, action, resourceType),
  };
}

/**
 * Checks a permission for the request's principal: undefined when allowed, else the problem to answer
 * (`forbidden`, or the verifier's error when the principal no longer stands).
 */
export function checkPermission(
  context: EnforcerContext,
  permission: string,
  resource: Resource | undefined,
): { allowed: true } | { allowed: false; detail: string } {
  const decision = context.authorize(permission, resource);
  return decision.allowed
    ? { allowed: true }
    : { allowed: false, detail: `Missing permission "${permission}"` };
}
