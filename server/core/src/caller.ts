import {
  metadataSubjectAttributes,
  mfaSubjectAttributes,
  type SubjectAttributeValue,
} from '@enforcer/contract';
import type { PolicyDocument, Subject } from '@enforcer/contract/policy';
import type { AuditActor } from './audit/ports.js';
import { AppError } from './errors.js';

/**
 * Who is calling a service, as the HTTP layer (the server's `authenticate` plugin, the mock's dispatch)
 * worked it out from the request's credential. Services decide with it and never read credentials.
 */
export type Caller = UserCaller | ApiKeyCaller | ClientCaller;

export interface UserCaller {
  kind: 'user';
  tenantId: string;
  accountId: string;
  personId: string;
  sessionId: string;
  /** The account's role(s) and group names as they are now (decisions use these, not a token's copy). */
  roles: string[];
  groups: string[];
  /**
   * `subject.attributes` for decisions (`userSubjectAttributes`): the session's MFA recency (`mfa_at`,
   * `mfa_age_seconds`) and what the policy sources from the account's public metadata.
   */
  attributes: Record<string, SubjectAttributeValue>;
  /** How the session was authenticated (`amr` of its token): where it may be carried into another tenant. */
  amr?: string[];
  /** The tenant's policy version as the caller's authentication read it (the policy cache's key). */
  policyVersion?: number;
  /**
   * The admin's account acting as this one (an impersonation token's `act.sub`, its session's actor), or
   * absent: `subject.actor` for decisions, `impersonator` on audit events.
   */
  actorAccountId?: string | null;
}

export interface ApiKeyCaller {
  kind: 'api_key';
  tenantId: string;
  apiKeyId: string;
  role: string;
  /** The account that created the key (null for keys made by the platform). */
  createdBy: string | null;
  /** The tenant's policy version as the caller's authentication read it (the policy cache's key). */
  policyVersion?: number;
}

/**
 * An application acting with its own access token (client credentials, #18). Only routes whose metadata
 * says `clientToken` (the decisions: `/authorize`, `/authorize/batch`, `/authorize/filter`) take one.
 */
export interface ClientCaller {
  kind: 'client';
  tenantId: string;
  clientId: string;
  applicationId: string;
  /** The token's scopes: the subject's own permission patterns. */
  scopes: string[];
  /** The tenant's policy version as the caller's authentication read it (the policy cache's key). */
  policyVersion?: number;
}

/** Where a request came from, for audit events. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  /** The HTTP request's id (audit events record it), when the HTTP layer has one. */
  requestId?: string | null;
}

/**
 * A signed-in user's `subject.attributes`, for the server and the mock alike: the attributes the tenant's
 * (effective) policy sources from the account's public metadata as it is now, and the session's MFA
 * recency from the token. Both come from the same declarations a token's `attrs` claim is minted with.
 */
export function userSubjectAttributes(
  policy: PolicyDocument,
  publicMetadata: Readonly<Record<string, unknown>>,
  claims: { mfa_at?: number | undefined },
  nowMs: number,
): Record<string, SubjectAttributeValue> {
  return { ...metadataSubjectAttributes(policy, publicMetadata), ...mfaSubjectAttributes(claims, nowMs) };
}

/** The engine's subject for a caller. An API key acts with its role and no groups. */
export function subjectOfCaller(caller: Caller): Subject {
  if (caller.kind === 'client') {
    // An application: no person, role or group; its token's scopes are its grants (#18).
    return {
      id: caller.clientId,
      kind: 'client',
      tenant_id: caller.tenantId,
      roles: [],
      groups: [],
      scopes: caller.scopes,
    };
  }
  if (caller.kind === 'api_key') {
    return { id: caller.apiKeyId, tenant_id: caller.tenantId, roles: [caller.role], groups: [] };
  }
  return {
    id: caller.accountId,
    person_id: caller.personId,
    tenant_id: caller.tenantId,
    roles: caller.roles,
    groups: caller.groups,
    attributes: caller.attributes,
    ...(caller.actorAccountId ? { actor: caller.actorAccountId } : {}),
  };
}

/** The audit actor for a caller: with the impersonating admin's account when there is one (#14). */
export const auditActorOf = (caller: Caller): AuditActor =>
  caller.kind === 'user'
    ? {
        type: 'account',
        id: caller.accountId,
        ...(caller.actorAccountId ? { impersonator: caller.actorAccountId } : {}),
      }
    : caller.kind === 'client'
      ? { type: 'application', id: caller.applicationId }
      : { type: 'api_key', id: caller.apiKeyId };

/**
 * An impersonation token acts as its account, never on the person's credentials or beyond the account:
 * no sign-in methods, second factors, passwords, API keys, tenant switches or new tenants
 * (`403 impersonation_not_allowed`), so an admin's 15 minutes cannot become a lasting way in.
 */
export function refuseImpersonation(caller: Caller | undefined, what: string): void {
  if (caller?.kind === 'user' && caller.actorAccountId) {
    throw new AppError('impersonation_not_allowed', `An impersonation token cannot ${what}`);
  }
}

/** The account id of a user caller, or null for an API key. */
export const callerAccountId = (caller: Caller): string | null =>
  caller.kind === 'user' ? caller.accountId : null;
