import { type Account as AccountDto, contract } from '@enforcer/contract';
import { rolesHandlers } from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import { registerCoreRoutes } from '../../http/core-handlers.js';
import { type Principal, subjectOfPrincipal } from '../../http/principal.js';
import { auditActor, clientInfo, requirePrincipal } from '../../http/request-context.js';
import { AppError } from '../../lib/errors.js';
import { afterPosition, decodeCursor, pageOrder, toPage } from '../../lib/pagination.js';
import { PostgresSessionStore } from '../../stores/postgres/sessions.js';
import { recordAudit } from '../audit/record-audit.js';
import { unlockAccount } from '../auth/throttle/unlock-account.js';
import { GroupMembership } from '../groups/entities.js';
import { Account, type IAccount } from '../identity/entities.js';
import { bumpGrantVersion } from '../identity/load-grant.js';
import { assertRoleWithinReach, managerRoles, rolePermissions } from '../policy/grants.js';
import { accountFields, accountResource } from '../policy/resources.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import { requireAllowed, visibleFilter } from '../policy/visible.js';
import { Tenant } from '../tenants/entities.js';
import { Session } from '../tokens/entities.js';

/** Accounts as the API shows them, with their email (from the person) and group names, in one query each. */
async function accountDtos(em: EntityManager, accounts: IAccount[]): Promise<AccountDto[]> {
  if (accounts.length === 0) return [];
  await em.populate(accounts, ['person']);
  const memberships = await em.find(
    GroupMembership,
    { account: { $in: accounts.map((a) => a.id) } },
    { populate: ['group'] },
  );
  const groups = new Map<string, string[]>();
  for (const m of memberships) groups.set(m.account.id, [...(groups.get(m.account.id) ?? []), m.group.name]);
  return accounts.map((a) => ({
    id: a.id,
    person_id: a.person.id,
    tenant_id: a.tenant.id,
    email: a.person.email ?? null,
    role: a.role,
    active: a.active,
    groups: (groups.get(a.id) ?? []).sort(),
    created_at: a.createdAt.toISOString(),
  }));
}

/**
 * The account an admin call is about: in the caller's tenant and visible to the caller (404
 * otherwise), the caller allowed `action` on it (403 otherwise, e.g. the default policy's
 * rule that an inactive account cannot be promoted), and not outranking the caller: nobody
 * changes the role or the status of someone who holds more than they do. Locked.
 */
async function targetAccount(
  em: EntityManager,
  policy: TenantPolicy,
  principal: Principal,
  id: string,
  action: string,
): Promise<IAccount> {
  const account = await em.findOne(
    Account,
    { id, tenant: principal.tenantId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!account) throw new AppError('not_found', 'No such account');
  requireAllowed(policy, subjectOfPrincipal(principal), {
    action,
    readAction: 'accounts.read',
    resource: accountResource(account),
    what: 'account',
  });
  if (rolePermissions(policy, account.role)) {
    assertRoleWithinReach(policy, principal, account.role, "This account's");
  }
  return account;
}

/**
 * `409 last_admin` when the change would leave the tenant without an active account whose
 * role can manage it (change its policy). The caller holds the tenant lock, so two admins
 * demoting each other at once cannot both succeed.
 */
async function assertManagerRemains(
  em: EntityManager,
  policy: TenantPolicy,
  account: IAccount,
  after: { role: string; active: boolean },
): Promise<void> {
  const managers = managerRoles(policy.compiled, account.tenant.id);
  const isManager = account.active && managers.includes(account.role);
  const staysManager = after.active && managers.includes(after.role);
  if (!isManager || staysManager) return;
  const others = await em.count(Account, {
    tenant: account.tenant.id,
    id: { $ne: account.id },
    active: true,
    role: { $in: managers },
  });
  if (others === 0) {
    throw new AppError(
      'last_admin',
      'This is the last active account that can manage the tenant: promote another one first',
    );
  }
}

/** Serialises role and status changes within a tenant (see assertManagerRemains). */
const lockTenant = (em: EntityManager, tenantId: string) =>
  em.findOneOrFail(Tenant, tenantId, { lockMode: LockMode.PESSIMISTIC_WRITE });

/**
 * Accounts and the role catalog. Lists are filtered by the engine (`accounts.read` on
 * `account`): an admin sees every account, a member only their own (the default policy's
 * rule). Role and status changes bump the account's grant version and are audited.
 */
export const accountsRoutes: DomainRoutes = (app, services) => {
  const { orm, clock, policies, refreshTokens } = services;

  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => {
    registerCoreRoutes(scope, contract.roles, rolesHandlers(services.uow));
  });

  app.register(async (scope) => {
    registerContractRoutes(scope, contract.accounts, {
      list: async ({ query, request }) => {
        const principal = requirePrincipal(request);
        const em = orm.em.fork();
        const policy = await policies.forPrincipal(em, principal);
        const visible = visibleFilter(
          policy,
          subjectOfPrincipal(principal),
          'accounts.read',
          'account',
          accountFields,
        );
        const filters: Record<string, unknown>[] = [{ tenant: principal.tenantId }, visible];
        if (query.email !== undefined) filters.push({ person: { email: query.email } });
        if (query.role !== undefined) filters.push({ role: query.role });
        if (query.active !== undefined) filters.push({ active: query.active });
        filters.push(afterPosition(decodeCursor(query.cursor)));
        const rows = await em.find(
          Account,
          { $and: filters },
          { orderBy: pageOrder, limit: query.limit + 1 },
        );
        const page = toPage(rows, query.limit, (a) => a);
        return { status: 200, body: { data: await accountDtos(em, page.data), pagination: page.pagination } };
      },

      get: async ({ params, request }) => {
        const principal = requirePrincipal(request);
        const em = orm.em.fork();
        const policy = await policies.forPrincipal(em, principal);
        const account = await em.findOne(Account, { id: params.id, tenant: principal.tenantId });
        if (
          !account ||
          !policy.compiled.can(subjectOfPrincipal(principal), 'accounts.read', accountResource(account))
        ) {
          throw new AppError('not_found', 'No such account');
        }
        const [dto] = await accountDtos(em, [account]);
        return { status: 200, body: dto! };
      },

      setRole: async ({ params, body, request }) => {
        const principal = requirePrincipal(request);
        const dto = await orm.em.fork().transactional(async (em) => {
          await lockTenant(em, principal.tenantId);
          const policy = await policies.forPrincipal(em, principal);
          const account = await targetAccount(em, policy, principal, params.id, 'accounts.role.update');
          assertRoleWithinReach(policy, principal, body.role, 'The');
          if (account.role === body.role) return (await accountDtos(em, [account]))[0]!;
          await assertManagerRemains(em, policy, account, { role: body.role, active: account.active });
          const from = account.role;
          account.role = body.role;
          bumpGrantVersion(account);
          recordAudit(em, clock, {
            action: 'account.role.changed',
            actor: auditActor(principal),
            tenantId: principal.tenantId,
            target: { type: 'account', id: account.id },
            ...clientInfo(request),
            details: { from, to: body.role },
          });
          return (await accountDtos(em, [account]))[0]!;
        });
        return { status: 200, body: dto };
      },

      unlock: unlockAccount,

      setActive: async ({ params, body, request }) => {
        const principal = requirePrincipal(request);
        const dto = await orm.em.fork().transactional(async (em) => {
          await lockTenant(em, principal.tenantId);
          const policy = await policies.forPrincipal(em, principal);
          const account = await targetAccount(em, policy, principal, params.id, 'accounts.active.update');
          if (account.active === body.active) return (await accountDtos(em, [account]))[0]!;
          await assertManagerRemains(em, policy, account, { role: account.role, active: body.active });
          account.active = body.active;
          bumpGrantVersion(account);
          if (!body.active) {
            // Deactivation ends every session now: no refresh, and the preHandler refuses its tokens.
            const sessions = await em.find(
              Session,
              { account: account.id, revokedAt: null },
              { fields: ['id'] },
            );
            const store = new PostgresSessionStore({ tx: em });
            for (const s of sessions) await refreshTokens.revokeSession(s.id, 'account_deactivated', store);
          }
          recordAudit(em, clock, {
            action: body.active ? 'account.activated' : 'account.deactivated',
            actor: auditActor(principal),
            tenantId: principal.tenantId,
            target: { type: 'account', id: account.id },
            ...clientInfo(request),
          });
          return (await accountDtos(em, [account]))[0]!;
        });
        return { status: 200, body: dto };
      },
    });
  });
};
