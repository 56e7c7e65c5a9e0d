import {
  contract,
  type Group as GroupDto,
  type GroupMembership as GroupMembershipDto,
} from '@enforcer/contract';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { type Principal, subjectOfPrincipal } from '../../http/principal.js';
import { auditActor, clientInfo, requirePrincipal } from '../../http/request-context.js';
import { AppError } from '../../lib/errors.js';
import { afterPosition, decodeCursor, pageOrder, toPage } from '../../lib/pagination.js';
import { recordAudit } from '../audit/record-audit.js';
import { Account, type IAccount } from '../identity/entities.js';
import { bumpGrantVersion } from '../identity/load-grant.js';
import { escalations } from '../policy/grants.js';
import { accountResource, groupFields, groupResource } from '../policy/resources.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import { requireAllowed, visibleFilter } from '../policy/visible.js';
import { Tenant } from '../tenants/entities.js';
import { Group, GroupMembership, type IGroup, type IGroupMembership } from './entities.js';

/**
 * A group as the API shows it. Its permissions are what membership grants in the effective
 * policy: those stored on the group plus those the policy document gives a group of that name.
 */
export function groupDto(group: IGroup, policy: TenantPolicy): GroupDto {
  const inPolicy = Object.hasOwn(policy.effective.groups ?? {}, group.name)
    ? policy.effective.groups![group.name]
    : undefined;
  return {
    id: group.id,
    name: group.name,
    description: group.description ?? inPolicy?.description ?? null,
    permissions: inPolicy?.permissions ?? group.permissions,
    created_at: group.createdAt.toISOString(),
  };
}

const membershipDto = (m: IGroupMembership): GroupMembershipDto => ({
  group_id: m.group.id,
  account_id: m.account.id,
  created_at: m.createdAt.toISOString(),
});

/** `403 forbidden` when the group unlocks a management action the caller cannot do itself. */
function assertNoEscalation(policy: TenantPolicy, principal: Principal, permissions: readonly string[]) {
  const beyond = escalations(policy, principal, permissions);
  if (beyond.length > 0) {
    throw new AppError(
      'forbidden',
      `This group unlocks ${beyond.map((a) => `"${a}"`).join(', ')}, which you cannot do yourself`,
    );
  }
}

/**
 * The group and the account a membership change is about, both in the caller's tenant (404
 * otherwise), and the caller allowed to change the group's members. The account row is locked:
 * membership changes of one account are serialised, so its grant version counts each one.
 */
async function membershipTargets(
  em: EntityManager,
  policy: TenantPolicy,
  principal: Principal,
  groupId: string,
  accountId: string,
): Promise<{ group: IGroup; account: IAccount }> {
  const group = await em.findOne(Group, { id: groupId, tenant: principal.tenantId });
  if (!group) throw new AppError('not_found', 'No such group');
  const subject = subjectOfPrincipal(principal);
  requireAllowed(policy, subject, {
    action: 'groups.members.write',
    readAction: 'groups.read',
    resource: groupResource(group),
    what: 'group',
  });
  const account = await em.findOne(
    Account,
    { id: accountId, tenant: principal.tenantId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!account) throw new AppError('not_found', 'No such account');
  assertNoEscalation(policy, principal, groupDto(group, policy).permissions);
  return { group, account };
}

/**
 * Groups: the capability gates. Membership is what opens an action (`verified` after KYC);
 * adding or removing a member changes what the account may do on its next request, and bumps
 * its grant version so tokens minted before can be told apart.
 */
export const groupsRoutes: DomainRoutes = (app, services) => {
  const { orm, clock, policies } = services;

  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => {
    registerContractRoutes(scope, contract.groups, {
      list: async ({ query, request }) => {
        const principal = requirePrincipal(request);
        const em = orm.em.fork();
        const policy = await policies.forPrincipal(em, principal);
        const visible = visibleFilter(
          policy,
          subjectOfPrincipal(principal),
          'groups.read',
          'group',
          groupFields,
        );
        const rows = await em.find(
          Group,
          { $and: [{ tenant: principal.tenantId }, visible, afterPosition(decodeCursor(query.cursor))] },
          { orderBy: pageOrder, limit: query.limit + 1 },
        );
        return { status: 200, body: toPage(rows, query.limit, (g) => groupDto(g, policy)) };
      },

      create: async ({ body, request }) => {
        const principal = requirePrincipal(request);
        const { group, policy } = await orm.em.fork().transactional(async (em) => {
          // The tenant row is locked: group names and policy versions change one writer at a time.
          const tenant = await em.findOneOrFail(Tenant, principal.tenantId, {
            lockMode: LockMode.PESSIMISTIC_WRITE,
          });
          const before = await policies.forTenant(em, tenant);
          const permissions = [...new Set(body.permissions ?? [])];
          assertNoEscalation(before, principal, permissions);
          if (await em.count(Group, { tenant: tenant.id, name: body.name })) {
            throw new AppError('conflict', `A group named "${body.name}" already exists`);
          }
          const group = em.create(Group, {
            tenant,
            name: body.name,
            description: body.description || null,
            permissions,
            builtIn: false,
          });
          // The group is part of the effective policy: every process recompiles on the new version.
          tenant.policyVersion += 1;
          recordAudit(em, clock, {
            action: 'group.created',
            actor: auditActor(principal),
            tenantId: tenant.id,
            target: { type: 'group', id: group.id },
            ...clientInfo(request),
            details: { name: group.name, permissions },
          });
          await em.flush();
          return { group, policy: await policies.forTenant(em, tenant) };
        });
        return { status: 201, body: groupDto(group, policy) };
      },

      addMember: async ({ params, body, request }) => {
        const principal = requirePrincipal(request);
        const result = await orm.em.fork().transactional(async (em) => {
          const policy = await policies.forPrincipal(em, principal);
          const { group, account } = await membershipTargets(
            em,
            policy,
            principal,
            params.id,
            body.account_id,
          );
          const existing = await em.findOne(GroupMembership, { group: group.id, account: account.id });
          if (existing) return { status: 200 as const, membership: existing };
          const membership = em.create(GroupMembership, { group, account, tenant: group.tenant });
          bumpGrantVersion(account);
          recordAudit(em, clock, {
            action: 'group.member.added',
            actor: auditActor(principal),
            tenantId: principal.tenantId,
            target: { type: 'account', id: account.id },
            ...clientInfo(request),
            details: { group_id: group.id, group: group.name },
          });
          return { status: 201 as const, membership };
        });
        return { status: result.status, body: membershipDto(result.membership) };
      },

      removeMember: async ({ params, request }) => {
        const principal = requirePrincipal(request);
        await orm.em.fork().transactional(async (em) => {
          const policy = await policies.forPrincipal(em, principal);
          const { group, account } = await membershipTargets(
            em,
            policy,
            principal,
            params.id,
            params.account_id,
          );
          const existing = await em.findOne(GroupMembership, { group: group.id, account: account.id });
          if (!existing) return;
          em.remove(existing);
          bumpGrantVersion(account);
          recordAudit(em, clock, {
            action: 'group.member.removed',
            actor: auditActor(principal),
            tenantId: principal.tenantId,
            target: { type: 'account', id: account.id },
            ...clientInfo(request),
            details: { group_id: group.id, group: group.name },
          });
        });
        return { status: 204, body: undefined };
      },

      listForAccount: async ({ params, request }) => {
        const principal = requirePrincipal(request);
        const em = orm.em.fork();
        const policy = await policies.forPrincipal(em, principal);
        const account = await em.findOne(Account, { id: params.id, tenant: principal.tenantId });
        if (!account) throw new AppError('not_found', 'No such account');
        requireAllowed(policy, subjectOfPrincipal(principal), {
          action: 'accounts.read',
          readAction: 'accounts.read',
          resource: accountResource(account),
          what: 'account',
        });
        const memberships = await em.find(
          GroupMembership,
          { account: account.id, tenant: principal.tenantId },
          { populate: ['group'], orderBy: { group: { name: 'asc' } } },
        );
        return { status: 200, body: { data: memberships.map((m) => groupDto(m.group, policy)) } };
      },
    });
  });
};
