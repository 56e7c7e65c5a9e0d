import type { Subject } from '@enforcer/contract/policy';
import { VerifierError } from './errors';
import type { RevocationState } from './revocations/revocation-state';
import type { AccessTokenClaims } from './token/read-claims';

/**
 * Who a verified access token speaks for. Immutable (frozen): the same object may serve every request
 * that carries the same token.
 */
export interface Principal {
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

/** Internal slots of a principal: which verifier made it and for which state of the feed. */
export const kOwner: unique symbol = Symbol('enforcer.owner');
export const kGeneration: unique symbol = Symbol('enforcer.generation');

export interface PrincipalSlots {
  [kOwner]: object;
  [kGeneration]: number;
}

const deepFreeze = (claims: AccessTokenClaims): Readonly<AccessTokenClaims> => {
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
