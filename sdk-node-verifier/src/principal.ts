import type { Subject } from '@enforcer/contract/policy';
import { VerifierError } from './errors';
import type { RevocationState } from './revocations/revocation-state';
import type { AccessTokenClaims, ClientTokenClaims } from './token/read-claims';

/**
 * Who a verified access token speaks for. Immutable (frozen): the same object may serve every request
 * that carries the same token.
 */
export interface Principal {
  /** An account's token (a person's membership). `ClientPrincipal` is an application's. */
  readonly kind: 'account';
  /** The account (`sub`): the person's membership in the tenant. */
  readonly accountId: string;
  readonly personId: string;
  readonly tenantId: string;
  /** The session (`sid`): a logout or a revocation ends it. */
  readonly sessionId: string;
  /**
   * The roles and groups decisions used at verification: the feed's current ones when the account's
   * grant changed since the token was minted, else the token's (`claims.roles`/`claims.groups`).
   */
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  /** How the person authenticated (RFC 8176: `otp`, `hwk`, ...). */
  readonly amr: readonly string[];
  /** The account's grant version when the token was minted. */
  readonly grantVersion: number;
  /**
   * The admin's account acting through this token (an impersonation token's `act.sub`, RFC 8693), or
   * null for a token the account uses itself. Policies see it as `subject.actor`.
   */
  readonly actor: string | null;
  /** `iat` and `exp`, in epoch seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** `jti`. */
  readonly tokenId: string;
  /** The verified claims, as the token carries them. */
  readonly claims: Readonly<AccessTokenClaims>;
  /** The policy engine's subject (`subject.*` in conditions) at verification. */
  readonly subject: Readonly<Subject>;
}

/**
 * An application's access token (client credentials, `POST /oauth/token`, #18), when the verifier accepts
 * them (`acceptClientTokens`): no person, session, role or group; its scopes are its grants, as the server
 * decides (`subject.kind = "client"`, reason `allowed_by_scope`). Immutable (frozen).
 */
export interface ClientPrincipal {
  readonly kind: 'client';
  /** The application's client id (`sub` = `client_id`, `enfapp_...`). */
  readonly clientId: string;
  readonly tenantId: string;
  /**
   * The scopes decisions used at verification: the token's, less any the application has lost since
   * (the feed reports an application's scopes when they change, as the server decides with today's).
   */
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly tokenId: string;
  readonly claims: Readonly<ClientTokenClaims>;
  readonly subject: Readonly<Subject>;
}

/** Either principal `verify` may answer. */
export type AnyPrincipal = Principal | ClientPrincipal;

/** Internal slots of a principal: which verifier made it and for which state of the feed. */
export const kOwner: unique symbol = Symbol('enforcer.owner');
export const kGeneration: unique symbol = Symbol('enforcer.generation');

export interface PrincipalSlots {
  [kOwner]: object;
  [kGeneration]: number;
}

const deepFreeze = <C extends object>(claims: C): Readonly<C> => {
  for (const value of Object.values(claims)) {
    if (Array.isArray(value) || (typeof value === 'object' && value !== null)) Object.freeze(value);
  }
  return Object.freeze(claims);
};

/**
 * The roles and groups that decide for a token, given what the feed said. The server decides with the
 * account's current grant; the feed reports it for every account whose grant changed, with its grant
 * version. Feed data at least as new as the token wins; a token newer than the feed's data (minted
 * after the last poll) carries the newer grant itself.
 */
export function resolveGrant(
  claims: AccessTokenClaims,
  state: RevocationState | undefined,
): { roles: readonly string[]; groups: readonly string[] } {
  if (!state) return claims;
  if (state.sessions.has(claims.sid)) throw new VerifierError('revoked', 'the session has ended');
  const fed = state.accounts.get(claims.sub);
  if (!fed) return claims;
  if (fed.deleted) throw new VerifierError('revoked', 'the account no longer exists');
  if (fed.grantVersion < claims.grant_version) return claims;
  if (!fed.active) throw new VerifierError('account_inactive', 'the account has been deactivated');
  return fed;
}

/** Builds the (frozen) principal for verified claims and the feed's current state. */
export function buildPrincipal(
  claims: AccessTokenClaims,
  state: RevocationState | undefined,
  owner: object,
): Principal & PrincipalSlots {
  const { roles, groups } = resolveGrant(claims, state);
  const frozenClaims = Object.isFrozen(claims) ? claims : deepFreeze(claims);
  const actor = claims.act?.sub ?? null;
  const subject: Subject = Object.freeze({
    id: claims.sub,
    person_id: claims.person_id,
    ...(actor ? { actor } : {}),
    tenant_id: claims.tenant_id,
    roles,
    groups,
  });
  const principal = {
    kind: 'account' as const,
    accountId: claims.sub,
    personId: claims.person_id,
    tenantId: claims.tenant_id,
    sessionId: claims.sid,
    roles,
    groups,
    amr: claims.amr,
    grantVersion: claims.grant_version,
    actor,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
    tokenId: claims.jti,
    claims: frozenClaims,
    subject,
  };
  // The slots stay out of logs and JSON: not enumerable.
  Object.defineProperty(principal, kOwner, { value: owner });
  Object.defineProperty(principal, kGeneration, { value: state?.generation ?? 0 });
  return Object.freeze(principal) as unknown as Principal & PrincipalSlots;
}

/**
 * The scopes that decide for an application's token: the token's, less what the feed says the application
 * no longer has; refused when the token was revoked (`POST /oauth/revoke`) or the application deleted.
 */
export function resolveClientScopes(
  claims: ClientTokenClaims,
  state: RevocationState | undefined,
): readonly string[] {
  const scopes = claims.scope.split(' ').filter((s) => s !== '');
  if (!state) return scopes;
  if (state.clientTokens.has(claims.jti)) throw new VerifierError('revoked', 'the token has been revoked');
  const fed = state.applications.get(claims.client_id);
  if (!fed) return scopes;
  if (fed.deleted) throw new VerifierError('revoked', 'the application no longer exists');
  return scopes.filter((s) => fed.scopes.includes(s));
}

/** Builds the (frozen) principal of an application's token for the feed's current state. */
export function buildClientPrincipal(
  claims: ClientTokenClaims,
  state: RevocationState | undefined,
  owner: object,
): ClientPrincipal & PrincipalSlots {
  const scopes = Object.freeze([...resolveClientScopes(claims, state)]);
  const subject: Subject = Object.freeze({
    id: claims.client_id,
    kind: 'client',
    tenant_id: claims.tenant_id,
    roles: Object.freeze([]),
    groups: Object.freeze([]),
    scopes,
  });
  const principal = {
    kind: 'client' as const,
    clientId: claims.client_id,
    tenantId: claims.tenant_id,
    scopes,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
    tokenId: claims.jti,
    claims: Object.isFrozen(claims) ? claims : deepFreeze(claims),
    subject,
  };
  Object.defineProperty(principal, kOwner, { value: owner });
  Object.defineProperty(principal, kGeneration, { value: state?.generation ?? 0 });
  return Object.freeze(principal) as unknown as ClientPrincipal & PrincipalSlots;
}

/** Rebuilds a principal (of either kind) for the feed's current state. */
export const rebuildPrincipal = (
  principal: AnyPrincipal,
  state: RevocationState | undefined,
  owner: object,
): AnyPrincipal & PrincipalSlots =>
  principal.kind === 'client'
    ? buildClientPrincipal(principal.claims, state, owner)
    : buildPrincipal(principal.claims, state, owner);
