import type { contract, PolicyResponse } from '@enforcer/contract';
import { mergeGroups } from '@enforcer/contract';
import {
  compile,
  formatPath,
  type PolicyDocument,
  PolicyValidationError,
  type Subject,
} from '@enforcer/contract/policy';
import { callerOf, type Handler, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, type ClientInfo, subjectOfCaller } from '../caller.js';
import { AppError } from '../errors.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { assertDocumentWithinLimits, tenantLimits } from '../tenants/limits.js';
import { adminConstraintIssues } from './admin-constraints.js';
import { callerCan, managerRoles } from './grants.js';
import { stableStringify, type TenantPolicy } from './tenant-policy.js';

/** RFC 9110 `If-Match` with strong comparison: `*`, or one of a list of ETags (weak ones never match). */
export function ifMatchHolds(header: string, current: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === current);
}

/**
 * A document as it would be used (merged with the tenant's groups) must compile: `400 invalid_policy` with
 * one field error per issue, each naming its path inside the body otherwise; then it must keep what
 * Enforcer's own endpoints need (admin-constraints.ts).
 */
export function validatePolicyDocument(
  document: unknown,
  groups: readonly { name: string; permissions: readonly string[]; description?: string | null }[],
): { document: PolicyDocument; effective: PolicyDocument } {
  const effective = mergeGroups(document as PolicyDocument, groups);
  try {
    compile(effective);
  } catch (error) {
    if (error instanceof PolicyValidationError) {
      throw new AppError('invalid_policy', error.message, {
        errors: error.issues.map((i) => ({ path: `body.${formatPath(i.path)}`, message: i.message })),
      });
    }
    throw error;
  }
  const issues = adminConstraintIssues(document as PolicyDocument);
  if (issues.length > 0) {
    const shown = issues
      .slice(0, 3)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ');
    throw new AppError('invalid_policy', `The policy breaks what Enforcer's own endpoints need: ${shown}`, {
      errors: issues,
    });
  }
  return { document: document as PolicyDocument, effective };
}

/**
 * What a new document must not break, beyond compiling (`409 conflict`): some role must still be able to
 * manage the tenant (change its policy) and be held by an active account, and no account or live API key
 * may be left holding a role the document no longer defines.
 */
async function assertStillManageable(repos: Repositories, tenantId: string, effective: PolicyDocument) {
  const managers = managerRoles(compile(effective), tenantId);
  if (managers.length === 0) {
    throw new AppError('conflict', 'No role of this policy could manage the tenant (grant "policy.update")');
  }
  const held = await repos.grants.rolesHeld(tenantId);
  if (!held.byActiveAccounts.some((role) => managers.includes(role))) {
    throw new AppError(
      'conflict',
      `No active account holds a role that can manage the tenant (${managers.join(', ')})`,
    );
  }
  const orphaned = [...new Set(held.byAnyone)].filter((role) => !Object.hasOwn(effective.roles, role)).sort();
  if (orphaned.length > 0) {
    throw new AppError(
      'conflict',
      `Accounts or API keys hold ${orphaned.map((r) => `"${r}"`).join(', ')}, which this policy removes: reassign them first`,
    );
  }
}

/**
 * Who a decision is about: the caller, or `account_id`, another account of the tenant, when the caller is
 * an API key or holds `authorize.any`. Read now, from the store: its current role, groups and status, so a
 * group change is seen on the very next request.
 */
async function decisionSubject(
  repos: Repositories,
  policy: TenantPolicy,
  caller: Caller,
  accountId: string | undefined,
): Promise<Subject> {
  if (accountId === undefined || (caller.kind === 'user' && accountId === caller.accountId)) {
    return subjectOfCaller(caller);
  }
  if (caller.kind !== 'api_key' && !callerCan(policy, caller, 'authorize.any')) {
    throw new AppError('forbidden', 'Deciding for another account needs an API key or "authorize.any"');
  }
  const grant = await repos.grants.find(accountId);
  if (!grant || grant.tenantId !== caller.tenantId) throw new AppError('not_found', 'No such account');
  if (!grant.active) throw new AppError('account_inactive', 'This account has been deactivated');
  return {
    id: grant.accountId,
    person_id: grant.personId,
    tenant_id: grant.tenantId,
    roles: grant.roles,
    groups: grant.groups,
  };
}

/** The `If-Match` request header (all its values, comma-joined), or undefined when none was sent. */
export const ifMatchOf = (headers: unknown): string | undefined =>
  [(headers as Record<string, string | string[] | undefined>)['if-match']].flat().join(',') || undefined;

/** What one write of a tenant's policy document is: `PUT /policy`, or a role edit (`POST /roles`, ...). */
export interface PolicyWrite {
  /** The request's `If-Match`: a stale ETag is `412 precondition_failed`, before anything else. */
  ifMatch: string | undefined;
  /** The new document, made from the current policy (which the write holds locked). */
  next: (current: TenantPolicy) => unknown;
  /**
   * Runs once the new document is valid and differs from the stored one, before the checks that it keeps
   * the tenant manageable (a role's accounts move to another role here, so those checks see them moved).
   */
  beforeStore?: (effective: PolicyDocument) => Promise<void>;
  /** Added to the `policy.updated` audit event (what the write was, for a role edit). */
  details?: Record<string, unknown>;
}

/**
 * The one way a tenant's policy document is written: the tenant locked (the If-Match comparison and the
 * write are one step), the new document validated and compiled with the tenant's groups, checked to keep
 * the tenant manageable and no role held by anyone dropped, stored (which bumps the policy version, so every
 * process and verifier recompiles) and audited as `policy.updated`. A document equal to the stored one is
 * no write at all (`changed: false`). Runs inside the caller's unit of work.
 */
export async function writeTenantPolicy(
  repos: Repositories,
  caller: Caller,
  client: ClientInfo,
  write: PolicyWrite,
): Promise<{ before: TenantPolicy; after: TenantPolicy; changed: boolean }> {
  const current = await repos.policies.forTenant(caller.tenantId, { lock: true });
  if (write.ifMatch !== undefined && !ifMatchHolds(write.ifMatch, current.etag)) {
    throw new AppError('precondition_failed', 'The policy changed since you read it: re-read, merge, retry');
  }
  const { document, effective } = validatePolicyDocument(
    write.next(current),
    await repos.policies.groupGrants(caller.tenantId),
  );
  if (stableStringify(document) === stableStringify(current.stored)) {
    return { before: current, after: current, changed: false };
  }
  assertDocumentWithinLimits(await tenantLimits(repos, caller.tenantId), current.stored, document);
  await write.beforeStore?.(effective);
  await assertStillManageable(repos, caller.tenantId, effective);
  await repos.policies.write(caller.tenantId, document);
  const written = await repos.policies.forTenant(caller.tenantId);
  repos.audit.record({
    action: 'policy.updated',
    actor: auditActorOf(caller),
    tenantId: caller.tenantId,
    target: { type: 'tenant', id: caller.tenantId },
    ...client,
    details: { from_etag: current.etag, to_etag: written.etag, version: written.version, ...write.details },
  });
  return { before: current, after: written, changed: true };
}

/** The caller's tenant policy: the compiled version its authentication read, while that is cached. */
export const callerPolicy = (repos: Repositories, caller: Caller): Promise<TenantPolicy> =>
  repos.policies.forTenant(
    caller.tenantId,
    caller.policyVersion === undefined ? {} : { version: caller.policyVersion },
  );

async function policyResponse(
  repos: Repositories,
  tenantId: string,
  policy: Pick<TenantPolicy, 'stored' | 'effective' | 'etag'>,
): Promise<PolicyResponse> {
  return {
    document: policy.stored,
    effective: policy.effective,
    etag: policy.etag,
    updated_at: (await repos.policies.updatedAt(tenantId)).toISOString(),
  };
}

/**
 * The tenant's policy (`GET`/`PUT /policy`) and decisions (`POST /authorize`, `POST /authorize/filter`).
 * A written document is validated, compiled and checked against what Enforcer's own endpoints need before
 * it is stored; storing it bumps the tenant's policy version, so every process recompiles on its next
 * request. The answer to `GET` and `PUT` carries the effective document's ETag, which `PUT` takes as
 * `If-Match` (creating a group changes it too, since it changes what the policy grants).
 */
export const policyHandlers = (
  uow: UnitOfWork,
  /** Told of every decision call (`/authorize`, `/batch`, `/filter`) answered: the usage counter (#15). */
  onDecisionCall: (tenantId: string) => void = () => {},
): Handlers<typeof contract.policy> => ({
  get: async (_request, ctx) => {
    const caller = callerOf(ctx);
    const body = await uow.read(async (repos) =>
      policyResponse(repos, caller.tenantId, await repos.policies.forTenant(caller.tenantId)),
    );
    return { status: 200, body, headers: { etag: body.etag } };
  },

  put: async ({ body, headers }, ctx) => {
    const caller = callerOf(ctx);
    const response = await uow.transaction(async (repos) => {
      const { after } = await writeTenantPolicy(repos, caller, ctx.client, {
        ifMatch: ifMatchOf(headers),
        next: () => body,
      });
      return policyResponse(repos, caller.tenantId, after);
    });
    return { status: 200, body: response, headers: { etag: response.etag } };
  },

  authorize: async ({ body }, ctx) => {
    const caller = callerOf(ctx);
    // The hot path: with the caller's policy version compiled and cached, no storage work at all.
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const subject = await decisionSubject(repos, policy, caller, body.account_id);
      const { allowed, reason } = policy.compiled.explain(subject, body.action, body.resource);
      onDecisionCall(caller.tenantId);
      return { status: 200, body: { allowed, reason } };
    });
  },

  batch: async ({ body }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      // One subject for every check: it is read (and refused) once, as a single `/authorize` would.
      const subject = await decisionSubject(repos, policy, caller, body.account_id);
      const results = body.checks.map(({ action, resource }) => {
        const { allowed, reason } = policy.compiled.explain(subject, action, resource);
        return { allowed, reason };
      });
      onDecisionCall(caller.tenantId);
      return { status: 200, body: { results } };
    });
  },

  filter: async ({ body }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      if (!Object.hasOwn(policy.effective.resources, body.resource_type)) {
        throw new AppError(
          'unknown_resource_type',
          `The policy declares no resource type "${body.resource_type}"`,
        );
      }
      const subject = await decisionSubject(repos, policy, caller, body.account_id);
      const plan = policy.compiled.plan(subject, body.action, body.resource_type);
      onDecisionCall(caller.tenantId);
      return { status: 200, body: { plan } };
    });
  },
});

/**
 * `GET /auth/permissions`: what a client needs to run `can()` / `plan()` locally with the same engine: the
 * permission patterns the caller's role and groups grant, the policy subject (with its recent-MFA
 * attributes), and the tenant's EFFECTIVE policy document (stored document + groups) with its ETag.
 */
export const permissionsHandler =
  (uow: UnitOfWork): Handler<typeof contract.auth.permissions> =>
  async (_request, ctx) => {
    const caller = callerOf(ctx);
    if (caller.kind !== 'user')
      throw new AppError('credential_not_allowed', 'This call needs a signed-in user');
    const policy = await uow.read((repos) => callerPolicy(repos, caller));
    const subject = subjectOfCaller(caller);
    return {
      status: 200,
      body: {
        permissions: policy.compiled.permissions(subject),
        subject: {
          id: caller.accountId,
          person_id: caller.personId,
          ...(caller.actorAccountId ? { actor: caller.actorAccountId } : {}),
          tenant_id: caller.tenantId,
          roles: [...caller.roles],
          groups: [...caller.groups],
          attributes: { ...caller.attributes },
        },
        policy: policy.effective,
        policy_etag: policy.etag,
      },
    };
  };
