import type { contract } from '@enforcer/contract';
import { compile, formatPath, PolicyValidationError, type Subject } from '@enforcer/contract/policy';
import type { MockContext, RouterImpl } from '../context';
import { stableStringify } from '../crypto';
import { subjectOfPrincipal } from '../dispatch';
import { MockError } from '../problem';
import { mergeGroups } from '../store';
import { adminConstraintIssues, managerRoles } from './grants';
import { callerCan, principalOf, tenantIdOf } from './helpers';

async function policyResponse(ctx: MockContext, tenantId: string) {
  const tenant = ctx.store.tenants.get(tenantId)!;
  const { effective } = ctx.store.policyOf(tenantId);
  return {
    document: tenant.policy,
    effective,
    etag: await ctx.store.etagOf(tenantId),
    updated_at: new Date(tenant.policyUpdatedAt).toISOString(),
  };
}

const ifMatchHolds = (header: string, current: string) =>
  header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === current);

/** The subject of a decision: the caller, or (API key or `authorize.any`) another account, as it is now. */
function subjectFor(ctx: MockContext, accountId: string | undefined): Subject {
  const principal = principalOf(ctx);
  if (accountId === undefined || (principal.kind === 'user' && accountId === principal.account.id)) {
    return subjectOfPrincipal(ctx.store, principal);
  }
  if (principal.kind !== 'api_key' && !callerCan(ctx, 'authorize.any')) {
    throw new MockError('forbidden', 'Deciding for another account needs an API key or "authorize.any"');
  }
  const account = ctx.store.accounts.get(accountId);
  if (!account || account.tenantId !== tenantIdOf(ctx)) throw new MockError('not_found', 'No such account');
  if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
  return ctx.store.subjectOf(account);
}

export const policyRoutes: RouterImpl<typeof contract.policy> = {
  get: async (_request, ctx) => {
    const body = await policyResponse(ctx, tenantIdOf(ctx));
    return { status: 200, body, headers: { etag: body.etag } } as never;
  },

  put: async ({ body, headers }, ctx) => {
    const tenantId = tenantIdOf(ctx);
    const { store } = ctx;
    const ifMatch = (headers as Record<string, string | undefined>)['if-match'];
    if (ifMatch !== undefined && !ifMatchHolds(ifMatch, await store.etagOf(tenantId))) {
      throw new MockError(
        'precondition_failed',
        'The policy changed since you read it: re-read, merge, retry',
      );
    }
    const effective = mergeGroups(body, store.groupsOf(tenantId));
    let compiled: ReturnType<typeof compile>;
    try {
      compiled = compile(effective);
    } catch (error) {
      if (error instanceof PolicyValidationError) {
        throw new MockError('invalid_policy', error.message, {
          errors: error.issues.map((i) => ({ path: `body.${formatPath(i.path)}`, message: i.message })),
        });
      }
      throw error;
    }
    const issues = adminConstraintIssues(body);
    if (issues.length > 0) {
      throw new MockError('invalid_policy', "The policy breaks what Enforcer's own endpoints need", {
        errors: issues,
      });
    }
    const tenant = store.tenants.get(tenantId)!;
    if (stableStringify(body) !== stableStringify(tenant.policy)) {
      // Some role must still manage the tenant, held by an active account; no held role may disappear.
      const managers = managerRoles(compiled, tenantId);
      if (managers.length === 0) {
        throw new MockError(
          'conflict',
          'No role of this policy could manage the tenant (grant "policy.update")',
        );
      }
      const accounts = store.accountsOf(tenantId);
      if (!accounts.some((a) => a.active && managers.includes(a.role))) {
        throw new MockError(
          'conflict',
          `No active account holds a role that can manage the tenant (${managers.join(', ')})`,
        );
      }
      const held = new Set([
        ...accounts.map((a) => a.role),
        ...[...store.apiKeys.values()]
          .filter((k) => k.tenantId === tenantId && k.revokedAt === null)
          .map((k) => k.role),
      ]);
      const orphaned = [...held].filter((role) => !Object.hasOwn(effective.roles, role)).sort();
      if (orphaned.length > 0) {
        throw new MockError(
          'conflict',
          `Accounts or API keys hold ${orphaned.map((r) => `"${r}"`).join(', ')}, which this policy removes: reassign them first`,
        );
      }
      tenant.policy = body;
      tenant.policyUpdatedAt = store.now();
      store.touchPolicy(tenantId);
    }
    const response = await policyResponse(ctx, tenantId);
    return { status: 200, body: response, headers: { etag: response.etag } } as never;
  },

  authorize: ({ body }, ctx) => {
    const subject = subjectFor(ctx, body.account_id);
    const { compiled } = ctx.store.policyOf(tenantIdOf(ctx));
    const { allowed, reason } = compiled.explain(subject, body.action, body.resource);
    return { status: 200, body: { allowed, reason } };
  },

  filter: ({ body }, ctx) => {
    const { compiled, effective } = ctx.store.policyOf(tenantIdOf(ctx));
    if (!Object.hasOwn(effective.resources, body.resource_type)) {
      throw new MockError(
        'unknown_resource_type',
        `The policy declares no resource type "${body.resource_type}"`,
      );
    }
    const subject = subjectFor(ctx, body.account_id);
    return { status: 200, body: { plan: compiled.plan(subject, body.action, body.resource_type) } };
  },
};
