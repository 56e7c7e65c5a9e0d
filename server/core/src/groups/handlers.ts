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
import { assertGroupsPerAccount, assertPermissionLimit, tenantLimits } from '../tenants/limits.js';
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
  const group = await groupFor(repos, policy, caller, groupId, 'groups.members.write');
  const account = await repos.accounts.find(caller.tenantId, accountId, { lock: true });
  if (!account) throw new AppError('not_found', 'No such account');
  assertNoEscalation(policy, caller, groupDto(group, policy).permissions);
  return { group, account };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The group an admin changes or deletes: in the caller's tenant (404 otherwise), the caller allowed to
 * `action` it, and the group unlocking nothing the caller cannot do (nobody edits a group above them).
 */
async function managedGroup(
  repos: Repositories,
  policy: TenantPolicy,
  caller: Caller,
  groupId: string,
  action: string,
): Promise<GroupRecord> {
  const group = await groupFor(repos, policy, caller, groupId, action);
  assertNoEscalation(policy, caller, groupDto(group, policy).permissions);
  return group;
}

/**
 * The group, in the caller's tenant and allowed `action` (`404` when the caller may not even read it, as
 * for another tenant's; `403` when it may read it but not do this).
 */
async function groupFor(
  repos: Repositories,
  policy: TenantPolicy,
  caller: Caller,
  groupId: string,
  action: string,
): Promise<GroupRecord> {
  const group = await repos.groups.find(caller.tenantId, groupId);
  if (!group) throw new AppError('not_found', 'No such group');
  requireAllowed(policy, caller, {
    action,
    readAction: 'groups.read',
    resource: groupResource(group),
    what: 'group',
  });
  return group;
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
      assertPermissionLimit(await tenantLimits(repos, caller.tenantId), 'group', body.name, permissions);
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
      const joined = (await repos.groups.ofAccount(caller.tenantId, account.id)).length;
      assertGroupsPerAccount(await tenantLimits(repos, caller.tenantId), joined);
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

  /**
   * `PATCH /groups/{id}`: its description and the permissions it grants itself. The caller may neither make
   * it unlock a management action they cannot do nor touch a group that already does; the effective policy
   * gets a new version when anything changed (audited as `group.updated`).
   */
  update: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const group = await managedGroup(repos, policy, caller, params.id, 'groups.update');
      const permissions = body.permissions && [...new Set(body.permissions)];
      if (permissions) {
        assertNoEscalation(policy, caller, permissions);
        assertPermissionLimit(await tenantLimits(repos, caller.tenantId), 'group', group.name, permissions);
      }
      const changes: { description?: string | null; permissions?: string[] } = {};
      if (body.description !== undefined && (body.description || null) !== group.description) {
        changes.description = body.description || null;
      }
      if (permissions && !sameList(permissions, group.permissions)) changes.permissions = permissions;
      if (Object.keys(changes).length === 0) return groupDto(group, policy);
      const updated = await repos.groups.update(group.id, changes);
      await repos.policies.bumpVersion(caller.tenantId);
      repos.audit.record({
        action: 'group.updated',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'group', id: group.id },
        ...ctx.client,
        details: {
          name: group.name,
          fields: Object.keys(changes),
          ...(changes.permissions ? { from: group.permissions, to: changes.permissions } : {}),
        },
      });
      return groupDto(updated, await repos.policies.forTenant(caller.tenantId));
    });
    return { status: 200, body: dto };
  },

  /**
   * `DELETE /groups/{id}`: the group and its memberships, in one unit of work. Built-in groups stay
   * (`409 built_in`). Every member's grant version is bumped (tokens and the revocation feed learn of it),
   * the effective policy gets a new version, and it is audited as `group.deleted`.
   */
  delete: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const group = await managedGroup(repos, policy, caller, params.id, 'groups.delete');
      if (group.builtIn) {
        throw new AppError('built_in', `"${group.name}" is a built-in group: it cannot be deleted`);
      }
      const members = await repos.groups.delete(group.id);
      for (const accountId of members) await repos.accounts.bumpGrantVersion(accountId);
      await repos.policies.bumpVersion(caller.tenantId);
      repos.audit.record({
        action: 'group.deleted',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'group', id: group.id },
        ...ctx.client,
        details: { name: group.name, permissions: group.permissions, members: members.length },
      });
    });
    return { status: 204, body: undefined };
  },

  /** `GET /groups/{id}/members`: oldest membership first, ties by account id, cursor pagination. */
  members: async ({ params, query }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const group = await groupFor(repos, policy, caller, params.id, 'groups.read');
      const rows = await repos.groups.members(group.id, pageRequest(query));
      const page = toPage(
        rows.map((m) => ({ ...m, id: m.accountId })),
        query.limit,
        membershipDto,
      );
      return { status: 200, body: page };
    });
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
