import { contract, type PolicyResponse } from '@enforcer/contract';
import { compile, type PolicyDocument, type Subject } from '@enforcer/contract/policy';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { type LazyEm, lazyEm } from '../../http/lazy-em.js';
import { type Principal, principalCan, subjectOfPrincipal } from '../../http/principal.js';
import { auditActor, clientInfo, requirePrincipal } from '../../http/request-context.js';
import { AppError } from '../../lib/errors.js';
import { ApiKey } from '../api-keys/entities.js';
import { recordAudit } from '../audit/record-audit.js';
import { Group } from '../groups/entities.js';
import { Account } from '../identity/entities.js';
import { loadGrant } from '../identity/load-grant.js';
import { type ITenant, Tenant } from '../tenants/entities.js';
import { adminConstraintIssues } from './admin-constraints.js';
import { managerRoles } from './grants.js';
import { etagOf, mergeGroups, subjectOf, type TenantPolicy } from './tenant-policy.js';

/**
 * The stored document, the effective one (merged with the tenant's groups: what decisions use)
 * and the ETag of the effective one, which `PUT /policy` takes as `If-Match`: creating a group
 * changes it too, since it changes what the policy grants.
 */
const policyResponse = (tenant: ITenant, policy: Pick<TenantPolicy, 'stored' | 'effective' | 'etag'>) =>
  ({
    document: policy.stored,
    effective: policy.effective,
    etag: policy.etag,
    updated_at: tenant.updatedAt.toISOString(),
  }) satisfies PolicyResponse;

/** RFC 9110 `If-Match` with strong comparison: `*`, or one of a list of ETags (weak ones never match). */
export function ifMatchHolds(header: string, current: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === current);
}

/**
 * Who a decision is about: the caller, or `account_id`, another account of the tenant, when
 * the caller is an API key or holds `authorize.any`. Loaded now, from the database: its
 * current role, groups and status, so a group change is seen on the very next request.
 */
async function decisionSubject(
  em: LazyEm,
  policy: TenantPolicy,
  principal: Principal,
  accountId: string | undefined,
): Promise<Subject> {
  if (accountId === undefined || (principal.kind === 'user' && accountId === principal.accountId)) {
    return subjectOfPrincipal(principal);
  }
  if (principal.kind !== 'api_key' && !principalCan(policy, principal, 'authorize.any')) {
    throw new AppError('forbidden', 'Deciding for another account needs an API key or "authorize.any"');
  }
  const grant = await loadGrant(em(), accountId);
  if (!grant || grant.tenantId !== principal.tenantId) throw new AppError('not_found', 'No such account');
  if (!grant.active) throw new AppError('account_inactive', 'This account has been deactivated');
  return subjectOf(grant);
}

/**
 * What a new document must not break, beyond compiling (`409 conflict`): some role must still
 * be able to manage the tenant (change its policy) and be held by an active account, and no
 * account or live API key may be left holding a role the document no longer defines.
 */
async function assertStillManageable(em: EntityManager, tenant: ITenant, effective: PolicyDocument) {
  const compiled = compile(effective);
  const managers = managerRoles(compiled, tenant.id);
  if (managers.length === 0) {
    throw new AppError('conflict', 'No role of this policy could manage the tenant (grant "policy.update")');
  }
  const activeManagers = await em.count(Account, {
    tenant: tenant.id,
    active: true,
    role: { $in: managers },
  });
  if (activeManagers === 0) {
    throw new AppError(
      'conflict',
      `No active account holds a role that can manage the tenant (${managers.join(', ')})`,
    );
  }
  const defined = new Set(Object.keys(effective.roles));
  const held = new Set([
    ...(await em.find(Account, { tenant: tenant.id }, { fields: ['role'] })).map((a) => a.role),
    ...(await em.find(ApiKey, { tenant: tenant.id, revokedAt: null }, { fields: ['role'] })).map(
      (k) => k.role,
    ),
  ]);
  const orphaned = [...held].filter((role) => !defined.has(role)).sort();
  if (orphaned.length > 0) {
    throw new AppError(
      'conflict',
      `Accounts or API keys hold ${orphaned.map((r) => `"${r}"`).join(', ')}, which this policy removes: reassign them first`,
    );
  }
}

/**
 * The tenant's policy (`GET`/`PUT /policy`) and decisions (`POST /authorize`, `POST
 * /authorize/filter`). A written document is validated, compiled and checked against what
 * Enforcer's own endpoints need before it is stored; storing it bumps the tenant's policy
 * version, so every server process recompiles on its next request.
 */
export const policyRoutes: DomainRoutes = (app, services) => {
  const { orm, clock, policies } = services;

  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => {
    registerContractRoutes(scope, contract.policy, {
      get: async ({ request, reply }) => {
        const principal = requirePrincipal(request);
        const em = orm.em.fork();
        const tenant = await em.findOneOrFail(Tenant, principal.tenantId);
        const policy = await policies.forTenant(em, tenant);
        const body = policyResponse(tenant, policy);
        reply.header('etag', body.etag);
        return { status: 200, body };
      },

      put: async ({ body, headers, request, reply }) => {
        const principal = requirePrincipal(request);
        const ifMatch = [headers['if-match']].flat().join(',') || undefined;
        const result = await orm.em.fork().transactional(async (em) => {
          // Locked: the If-Match comparison and the write are one step.
          const tenant = await em.findOneOrFail(Tenant, principal.tenantId, {
            lockMode: LockMode.PESSIMISTIC_WRITE,
          });
          const current = await policies.forTenant(em, tenant);
          if (ifMatch !== undefined && !ifMatchHolds(ifMatch, current.etag)) {
            throw new AppError(
              'precondition_failed',
              'The policy changed since you read it: re-read, merge, retry',
            );
          }
          const document = await policies.validate(em, tenant.id, body);
          const issues = adminConstraintIssues(document);
          if (issues.length > 0) {
            throw new AppError(
              'invalid_policy',
              `The policy breaks what Enforcer's own endpoints need: ${issues
                .slice(0, 3)
                .map((i) => `${i.path}: ${i.message}`)
                .join('; ')}`,
              { errors: issues },
            );
          }
          if (etagOf(document) === etagOf(current.stored)) return policyResponse(tenant, current);
          const effective = mergeGroups(
            document,
            await em.find(Group, { tenant: tenant.id }, { orderBy: { name: 'asc' } }),
          );
          await assertStillManageable(em, tenant, effective);
          tenant.policy = document as unknown as Record<string, unknown>;
          tenant.policyEtag = etagOf(document);
          tenant.policyVersion += 1;
          recordAudit(em, clock, {
            action: 'policy.updated',
            actor: auditActor(principal),
            tenantId: tenant.id,
            target: { type: 'tenant', id: tenant.id },
            ...clientInfo(request),
            details: { from_etag: current.etag, to_etag: etagOf(effective), version: tenant.policyVersion },
          });
          await em.flush();
          return policyResponse(tenant, { stored: document, effective, etag: etagOf(effective) });
        });
        reply.header('etag', result.etag);
        return { status: 200, body: result };
      },

      authorize: async ({ body, request }) => {
        const principal = requirePrincipal(request);
        // The hot path: with the principal and the policy cached, no database work at all.
        const em = lazyEm(services);
        const policy = await policies.forPrincipal(em, principal);
        const subject = await decisionSubject(em, policy, principal, body.account_id);
        const { allowed, reason } = policy.compiled.explain(subject, body.action, body.resource);
        return { status: 200, body: { allowed, reason } };
      },

      filter: async ({ body, request }) => {
        const principal = requirePrincipal(request);
        const em = lazyEm(services);
        const policy = await policies.forPrincipal(em, principal);
        if (!Object.hasOwn(policy.effective.resources, body.resource_type)) {
          throw new AppError(
            'unknown_resource_type',
            `The policy declares no resource type "${body.resource_type}"`,
          );
        }
        const subject = await decisionSubject(em, policy, principal, body.account_id);
        return {
          status: 200,
          body: { plan: policy.compiled.plan(subject, body.action, body.resource_type) },
        };
      },
    });
  });
};
