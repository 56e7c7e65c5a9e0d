import type { CompiledPolicy, Subject } from '@enforcer/contract/policy';
import type { AccountGrant } from '@enforcer/core';
import type { AccessTokenClaims } from './access-token-claims.js';

/**
 * Who is calling, worked out once per request from the route's `metadata.auth` (in the
 * contract) by `authenticate` below; handlers never read credentials themselves.
 */
export type Principal = UserPrincipal | ApiKeyPrincipal;

export interface UserPrincipal {
  kind: 'user';
  claims: AccessTokenClaims;
  accountId: string;
  personId: string;
  tenantId: string;
  sessionId: string;
  /** The account as it is now (role, groups, active): decisions use this, not the token's copy. */
  grant: PrincipalGrant;
  /** The tenant's policy version as this request found it (TenantPolicyService.forPrincipal). */
  policyVersion: number;
  /** `subject.attributes` for decisions: the session's MFA recency (`mfa_at`, `mfa_age_seconds`). */
  attributes: Record<string, string | number>;
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  apiKeyId: string;
  tenantId: string;
  role: string;
  createdBy: string | null;
  policyVersion: number;
}

/** What an account may do right now, as the request's one authentication query read it. */
export type PrincipalGrant = AccountGrant;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** The engine's subject for a caller. An API key acts with its role and no groups. */
export function subjectOfPrincipal(principal: Principal): Subject {
  if (principal.kind === 'api_key') {
    return { id: principal.apiKeyId, tenant_id: principal.tenantId, roles: [principal.role], groups: [] };
  }
  const { grant } = principal;
  return {
    id: grant.accountId,
    person_id: grant.personId,
    tenant_id: grant.tenantId,
    roles: grant.roles,
    groups: grant.groups,
    attributes: principal.attributes,
  };
}

/** Does the caller hold `action` (a resource-less check against the tenant's policy)? */
export function principalCan(
  policy: { compiled: CompiledPolicy },
  principal: Principal,
  action: string,
): boolean {
  return policy.compiled.can(subjectOfPrincipal(principal), action);
}
