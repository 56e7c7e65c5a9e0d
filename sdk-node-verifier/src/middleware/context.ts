import type { Action, Plan, Reason, Resource } from '@enforcer/contract/policy';
import type { Decision, Verifier } from '../create-verifier';
import { VerifierError } from '../errors';
import type { AnyPrincipal, ClientPrincipal, Principal } from '../principal';

/** Decisions about the request's caller, with the verifier's engine (as `POST /authorize` answers). */
interface Decisions {
  authorize(action: Action, resource?: Resource): Decision;
  can(action: Action, resource?: Resource): boolean;
  filter(action: Action, resourceType: string): Plan;
}

/** What the middleware puts on a request for an account's token (`req.enforcer`): the principal, and decisions. */
export interface EnforcerContext extends Decisions {
  readonly kind: 'account';
  readonly principal: Principal;
}

/**
 * What the middleware puts on a request for an application's token (`req.enforcerClient`), when it accepts
 * them (`acceptClientTokens`): the application's principal (its client id and scopes), and decisions.
 */
export interface EnforcerClientContext extends Decisions {
  readonly kind: 'client';
  readonly principal: ClientPrincipal;
}

/** Either caller, told apart by `kind` (`enforcerCaller(req)`). */
export type EnforcerCaller = EnforcerContext | EnforcerClientContext;

/** What the middleware sets on a request: one of the two is the caller, the other null (both null: none). */
export interface CallerSlots {
  enforcer?: EnforcerContext | null;
  enforcerClient?: EnforcerClientContext | null;
}

/**
 * The request's verified caller, an account's or an application's, or null: switch on `kind`. Routes that
 * serve only people read `req.enforcer`, which is never an application's (null for one).
 */
export function enforcerCaller(req: CallerSlots): EnforcerCaller | null {
  return req.enforcer ?? req.enforcerClient ?? null;
}

export function contextFor(verifier: Verifier<AnyPrincipal>, principal: AnyPrincipal): EnforcerCaller {
  const decisions: Decisions = {
    authorize: (action, resource) => verifier.authorize(principal, action, resource),
    can: (action, resource) => verifier.can(principal, action, resource),
    filter: (action, resourceType) => verifier.filter(principal, action, resourceType),
  };
  return principal.kind === 'client'
    ? { kind: 'client', principal, ...decisions }
    : { kind: 'account', principal, ...decisions };
}

/**
 * The caller a token stands for, once the middleware has decided it may: an application's token is refused
 * (`client_token`, answered 401 `token_invalid`) unless `acceptClientTokens` (and the verifier accepts them).
 */
export async function verifiedCaller(
  verifier: Verifier<AnyPrincipal>,
  token: string,
  acceptClientTokens: boolean,
): Promise<EnforcerCaller> {
  const principal = await verifier.verify(token);
  if (principal.kind === 'client' && !acceptClientTokens) {
    throw new VerifierError(
      'client_token',
      "an application's token: this middleware accepts accounts' tokens only (acceptClientTokens)",
    );
  }
  return contextFor(verifier, principal);
}

/** Puts the caller on the request: `enforcer` for an account, `enforcerClient` for an application. */
export function setCaller(req: CallerSlots, caller: EnforcerCaller | null): void {
  req.enforcer = caller?.kind === 'account' ? caller : null;
  req.enforcerClient = caller?.kind === 'client' ? caller : null;
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
  context: EnforcerCaller,
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
