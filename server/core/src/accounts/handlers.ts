import type { Account, contract } from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, subjectOfCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock } from '../platform.js';
import { assertRoleWithinReach, managerRoles, requireAllowed, rolePermissions } from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import { accountResource } from '../policy/resources.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import { accountSessionsHandlers } from '../sessions/handlers.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { personIdentifier, phoneIdentifier } from '../throttle/rules.js';
import type { SignInThrottle } from '../throttle/sign-in-throttle.js';
import type { AccountProfile, AccountRecord } from './ports.js';

export const accountDto = (a: AccountProfile): Account => ({
  id: a.id,
  person_id: a.personId,
  tenant_id: a.tenantId,
  email: a.email,
  role: a.role,
  active: a.active,
  groups: [...a.groups],
  created_at: a.createdAt.toISOString(),
});

/** Every identifier a person's sign-in attempts may be counted under: email, person id, phone numbers. */
export const signInIdentifiers = (person: { personId: string; email: string | null; phones: string[] }) => [
  ...new Set([
    personIdentifier({ id: person.personId, email: person.email }),
    `person:${person.personId}`,
    ...person.phones.map(phoneIdentifier),
  ]),
];

async function profileOf(repos: Repositories, accountId: string): Promise<Account> {
  const [profile] = await repos.accounts.profiles([accountId]);
  if (!profile) throw new AppError('not_found', 'No such account');
  return accountDto(profile);
}

/**
 * The account an admin call is about: in the caller's tenant and visible to the caller (404 otherwise), the
 * caller allowed `action` on it (403 otherwise, e.g. the default policy's rule that an inactive account
 * cannot be promoted), and not outranking the caller: nobody changes the role or the status of someone who
 * holds more than they do. Locked.
 */
async function targetAccount(
  repos: Repositories,
  policy: TenantPolicy,
  caller: Caller,
  id: string,
  action: string,
): Promise<AccountRecord> {
  const account = await repos.accounts.find(caller.tenantId, id, { lock: true });
  if (!account) throw new AppError('not_found', 'No such account');
  requireAllowed(policy, caller, {
    action,
    readAction: 'accounts.read',
    resource: accountResource(account),
    what: 'account',
  });
  if (rolePermissions(policy, account.role)) {
    assertRoleWithinReach(policy, caller, account.role, "This account's");
  }
  return account;
}

/**
 * `409 last_admin` when the change would leave the tenant without an active account whose role can manage
 * it (change its policy). The caller holds the tenant lock, so two admins demoting each other at once
 * cannot both succeed.
 */
async function assertManagerRemains(
  repos: Repositories,
  policy: TenantPolicy,
  account: AccountRecord,
  after: { role: string; active: boolean },
): Promise<void> {
  const managers = managerRoles(policy.compiled, account.tenantId);
  const isManager = account.active && managers.includes(account.role);
  const staysManager = after.active && managers.includes(after.role);
  if (!isManager || staysManager) return;
  if ((await repos.accounts.countActive(account.tenantId, managers, account.id)) === 0) {
    throw new AppError(
      'last_admin',
      'This is the last active account that can manage the tenant: promote another one first',
    );
  }
}

/**
 * Accounts. Lists are filtered by the engine (`accounts.read` on `account`): an admin sees every account, a
 * member only their own (the default policy's rule). Role and status changes lock the tenant (see
 * assertManagerRemains), bump the account's grant version and are audited; deactivation ends every session
 * of the account. Unlock lifts the sign-in throttle's lockout and delay of every identifier the account's
 * person signs in with.
 */
/**
 * `throttle`: the sign-in throttle whose lockouts `unlock` lifts (in the handler's unit of work); `clock`:
 * when an account's sessions are ended (`sessions/handlers.ts`).
 */
export const accountsHandlers = (
  uow: UnitOfWork,
  deps: { throttle: Pick<SignInThrottle, 'unlock'>; clock: Clock },
): Handlers<typeof contract.accounts> => ({
  ...accountSessionsHandlers({ uow, clock: deps.clock }),

  list: async ({ query }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const visible = policy.compiled.plan(subjectOfCaller(caller), 'accounts.read', 'account');
      const rows = await repos.accounts.list(caller.tenantId, {
        ...pageRequest(query),
        visible,
        email: query.email,
        role: query.role,
        active: query.active,
      });
      const page = toPage(rows, query.limit, (a) => a.id);
      const profiles = await repos.accounts.profiles(page.data);
      return { status: 200, body: { data: profiles.map(accountDto), pagination: page.pagination } };
    });
  },

  get: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    return uow.read(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const account = await repos.accounts.find(caller.tenantId, params.id);
      if (
        !account ||
        !policy.compiled.can(subjectOfCaller(caller), 'accounts.read', accountResource(account))
      ) {
        throw new AppError('not_found', 'No such account');
      }
      return { status: 200, body: await profileOf(repos, account.id) };
    });
  },

  setRole: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const account = await targetAccount(repos, policy, caller, params.id, 'accounts.role.update');
      assertRoleWithinReach(policy, caller, body.role, 'The');
      if (account.role === body.role) return profileOf(repos, account.id);
      await assertManagerRemains(repos, policy, account, { role: body.role, active: account.active });
      await repos.accounts.update(account.id, { role: body.role });
      await repos.accounts.bumpGrantVersion(account.id);
      repos.audit.record({
        action: 'account.role.changed',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: { from: account.role, to: body.role },
      });
      return profileOf(repos, account.id);
    });
    return { status: 200, body: dto };
  },

  setActive: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const dto = await uow.transaction(async (repos) => {
      const policy = await repos.policies.forTenant(caller.tenantId, { lock: true });
      const account = await targetAccount(repos, policy, caller, params.id, 'accounts.active.update');
      if (account.active === body.active) return profileOf(repos, account.id);
      await assertManagerRemains(repos, policy, account, { role: account.role, active: body.active });
      await repos.accounts.update(account.id, { active: body.active });
      await repos.accounts.bumpGrantVersion(account.id);
      // Deactivation ends every session now: no refresh, and the HTTP layer refuses its access tokens.
      if (!body.active) await repos.accountSessions.endAll(account.id, 'account_deactivated');
      repos.audit.record({
        action: body.active ? 'account.activated' : 'account.deactivated',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
      });
      return profileOf(repos, account.id);
    });
    return { status: 200, body: dto };
  },

  /** Idempotent; audited as `account.unlocked` with what was in force. */
  unlock: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const body = await uow.transaction(async (repos) => {
      const account = await repos.accounts.find(caller.tenantId, params.id);
      if (!account) throw new AppError('not_found', 'No such account');
      requireAllowed(await callerPolicy(repos, caller), caller, {
        action: 'accounts.unlock',
        readAction: 'accounts.read',
        resource: accountResource(account),
        what: 'account',
      });
      const identifiers = signInIdentifiers(await repos.accounts.contacts(account.id));
      let wasLocked = false;
      let wasThrottled = false;
      for (const identifier of identifiers) {
        const lifted = await deps.throttle.unlock(caller.tenantId, identifier, repos);
        wasLocked ||= lifted.wasLocked;
        wasThrottled ||= lifted.wasThrottled;
      }
      repos.audit.record({
        action: 'account.unlocked',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: { was_locked: wasLocked, was_throttled: wasThrottled },
      });
      return { was_locked: wasLocked, was_throttled: wasThrottled };
    });
    return { status: 200, body };
  },
});
