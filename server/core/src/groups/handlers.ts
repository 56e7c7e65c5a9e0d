import type { contract, Group, GroupMembership } from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, subjectOfCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import { assertNoEscalation, requireAllowed } from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import { accountResource, groupResource } from '../policy/resources.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { GroupRecord, MembershipRecord } from './ports.js';

/**
 * A group as the API shows it. Its permissions are what membership grants in the effective policy: those
 * stored on the group, or those the policy document gives a group of that name.
 */
export function groupDto(group: GroupRecord, policy: Pick<TenantPolicy, 'effective'>): Group {
  const groups = policy.effective.groups ?? {};
  const inPolicy = Object.hasOwn(groups, group.name) ? groups[group.name] : undefined;
  return {
    id: group.id,
    name: group.name,
    description: group.description ?? inPolicy?.description ?? null,
    permissions: [...(inPolicy?.permissions ?? group.permissions)],
    created_at: group.createdAt.toISOString(),
  };
}

const membershipDto = (m: MembershipRecord): GroupMembership => ({
  group_id: m.groupId,
  account_id: m.accountId,
  created_at: m.createdAt.toISOString(),
});

/**
 * The group and the account a membership change is about, both in the caller's tenant (404 otherwise), the
 * caller allowed to change the group's members, and the group unlocking nothing the caller cannot do. The
 * account is locked: membership changes of one account are serialised, so its grant version counts each.
 */
async function membershipTargets(
  repos: Repositories,
  policy: TenantPolicy,
  caller: Caller,
  groupId: string,
  accountId: string,
) {
  const group = await repos.groups.find(caller.tenantId, groupId);
  if (!group) throw new AppError('not_found', 'No such group');
  requireAllowed(policy, caller, {
    action: 'groups.members.write',
    readAction: 'groups.read',
    resource: groupResource(group),
    what: 'group',
  });
  const account = await repos.accounts.find(caller.tenantId, accountId, { lock: true });
  if (!account) throw new AppError('not_found', 'No such account');
  assertNoEscalation(policy, caller, groupDto(group, policy).permissions);
  return { group, account };
}

/**
 * Groups: the capability gates. Membership is what opens an action (`verified` after KYC); adding or
 * removing a member changes what the account may do on its next request, and bumps its grant version in
 * the same unit of work, so tokens minted before can be told apart and cached principals are refreshed.
 * Nobody creates or fills a group that unlocks a management action they cannot do themselves.
 */
export const groupsHandlers = (uow: UnitOfWork): Handlers<typeof contract.groups> => ({
  /** Filtered by the engine (`groups.read` on `group`). */
  list: async ({ query }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const visible = policy.compiled.plan(subjectOfCaller(caller), 'groups.read', 'group');
      const rows = await repos.groups.list(caller.tenantId, { ...pageRequest(query), visible });
      return { status: 200, body: toPage(rows, query.limit, (g) => groupDto(g, policy)) };
    });
  },

  create: async ({ body }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      // The tenant is locked: group names and policy versions change one writer at a time.
      const before = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const permissions = [...new Set(body.permissions ?? [])];
      assertNoEscalation(before, caller, permissions);
      if (await repos.groups.findByName(caller.tenantId, body.name)) {
        throw new AppError('conflict', `A group named "${body.name}" already exists`);
      }
      const group = await repos.groups.insert({
        tenantId: caller.tenantId,
        name: body.name,
        description: body.description || null,
        permissions,
        builtIn: false,
      });
      // The group is part of the effective policy: every process recompiles on the new version.
      await repos.policies.bumpVersion(caller.tenantId);
      repos.audit.record({
        action: 'group.created',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'group', id: group.id },
        ...ctx.client,
        details: { name: group.name, permissions },
      });
      return groupDto(group, await repos.policies.forTenant(caller.tenantId));
    });
    return { status: 201, body: dto };
  },

  addMember: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const { status, membership } = await uow.transaction(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const { group, account } = await membershipTargets(repos, policy, caller, params.id, body.account_id);
      const existing = await repos.groups.membership(group.id, account.id);
      if (existing) return { status: 200 as const, membership: existing };
      const membership = await repos.groups.addMember(group, account.id);
      await repos.accounts.bumpGrantVersion(account.id);
      repos.audit.record({
        action: 'group.member.added',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: { group_id: group.id, group: group.name },
      });
      return { status: 201 as const, membership };
    });
    return { status, body: membershipDto(membership) };
  },

  removeMember: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    await uow.transaction(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const { group, account } = await membershipTargets(repos, policy, caller, params.id, params.account_id);
      if (!(await repos.groups.removeMember(group.id, account.id))) return;
      await repos.accounts.bumpGrantVersion(account.id);
      repos.audit.record({
        action: 'group.member.removed',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: { group_id: group.id, group: group.name },
      });
    });
    return { status: 204, body: undefined };
  },

  listForAccount: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const account = await repos.accounts.find(caller.tenantId, params.id);
      if (!account) throw new AppError('not_found', 'No such account');
      requireAllowed(policy, caller, {
        action: 'accounts.read',
        readAction: 'accounts.read',
        resource: accountResource(account),
        what: 'account',
      });
      const groups = await repos.groups.ofAccount(caller.tenantId, account.id);
      return { status: 200, body: { data: groups.map((g) => groupDto(g, policy)) } };
    });
  },
});
