import type { contract, Role } from '@enforcer/contract';
import { builtInRoles } from '@enforcer/contract';
import { toPredicate } from '@enforcer/contract/policy';
import { personIdentifier } from '@enforcer/core';
import type { MockContext, RouterImpl } from '../context';
import { subjectOfPrincipal } from '../dispatch';
import { MockError } from '../problem';
import type { AccountRow } from '../store';
import { accountResource, assertRoleWithinReach, managerRoles, requireAllowed } from './grants';
import { byPage, paginate, principalOf, tenantIdOf } from './helpers';

/** The account an admin call is about: visible (404), allowed (403), not outranking the caller (403). */
function targetAccount(ctx: MockContext, id: string, action: string): AccountRow {
  const { store } = ctx;
  const principal = principalOf(ctx);
  const tenantId = tenantIdOf(ctx);
  const account = store.accounts.get(id);
  if (!account || account.tenantId !== tenantId) throw new MockError('not_found', 'No such account');
  requireAllowed(store.policyOf(tenantId).compiled, subjectOfPrincipal(store, principal), {
    action,
    readAction: 'accounts.read',
    resource: accountResource(account),
    what: 'account',
  });
  if (Object.hasOwn(store.policyOf(tenantId).effective.roles, account.role)) {
    assertRoleWithinReach(ctx, principal, account.role, "This account's");
  }
  return account;
}

/** `409 last_admin` when no other active account could still manage (change the policy of) the tenant. */
function assertManagerRemains(
  ctx: MockContext,
  account: AccountRow,
  after: { role: string; active: boolean },
) {
  const managers = managerRoles(ctx.store.policyOf(account.tenantId).compiled, account.tenantId);
  const isManager = account.active && managers.includes(account.role);
  const staysManager = after.active && managers.includes(after.role);
  if (!isManager || staysManager) return;
  const others = ctx.store
    .accountsOf(account.tenantId)
    .some((a) => a.id !== account.id && a.active && managers.includes(a.role));
  if (!others) {
    throw new MockError(
      'last_admin',
      'This is the last active account that can manage the tenant: promote another one first',
    );
  }
}

export const accountsRoutes: RouterImpl<typeof contract.accounts> = {
  /** Filtered by the engine (`accounts.read` on `account`): an admin sees all, a member only itself. */
  list: ({ query }, ctx) => {
    const { store } = ctx;
    const tenantId = tenantIdOf(ctx);
    const plan = store
      .policyOf(tenantId)
      .compiled.plan(subjectOfPrincipal(store, principalOf(ctx)), 'accounts.read', 'account');
    const visible = toPredicate(plan);
    const accounts = store
      .accountsOf(tenantId)
      .filter((a) => visible(accountResource(a).attributes))
      .filter((a) => query.email === undefined || store.persons.get(a.personId)?.email === query.email)
      .filter((a) => query.role === undefined || a.role === query.role)
      .filter((a) => query.active === undefined || a.active === query.active)
      .sort(byPage)
      .map((a) => store.accountView(a));
    return { status: 200, body: paginate(accounts, query) };
  },

  get: ({ params }, ctx) => {
    const { store } = ctx;
    const account = store.accounts.get(params.id);
    const tenantId = tenantIdOf(ctx);
    if (
      !account ||
      account.tenantId !== tenantId ||
      !store
        .policyOf(tenantId)
        .compiled.can(subjectOfPrincipal(store, principalOf(ctx)), 'accounts.read', accountResource(account))
    ) {
      throw new MockError('not_found', 'No such account');
    }
    return { status: 200, body: store.accountView(account) };
  },

  setRole: ({ params, body }, ctx) => {
    const { store } = ctx;
    const account = targetAccount(ctx, params.id, 'accounts.role.update');
    assertRoleWithinReach(ctx, principalOf(ctx), body.role, 'The');
    if (account.role !== body.role) {
      assertManagerRemains(ctx, account, { role: body.role, active: account.active });
      account.role = body.role;
      store.bumpGrant(account);
    }
    return { status: 200, body: store.accountView(account) };
  },

  /** Lifts the sign-in throttle's lockout and delay of the account's email (as the server). */
  unlock: async ({ params }, ctx) => {
    const { store } = ctx;
    const tenantId = tenantIdOf(ctx);
    const account = store.accounts.get(params.id);
    if (!account || account.tenantId !== tenantId) throw new MockError('not_found', 'No such account');
    requireAllowed(store.policyOf(tenantId).compiled, subjectOfPrincipal(store, principalOf(ctx)), {
      action: 'accounts.unlock',
      readAction: 'accounts.read',
      resource: accountResource(account),
      what: 'account',
    });
    const person = store.persons.get(account.personId)!;
    const lifted = await store.throttle.unlock(tenantId, personIdentifier(person));
    return { status: 200, body: { was_locked: lifted.wasLocked, was_throttled: lifted.wasThrottled } };
  },

  setActive: ({ params, body }, ctx) => {
    const { store } = ctx;
    const account = targetAccount(ctx, params.id, 'accounts.active.update');
    if (account.active !== body.active) {
      assertManagerRemains(ctx, account, { role: account.role, active: body.active });
      account.active = body.active;
      store.bumpGrant(account);
      if (!body.active) {
        for (const session of store.sessions.values()) {
          if (session.accountId === account.id) store.revokeSession(session, 'account_deactivated');
        }
      }
    }
    return { status: 200, body: store.accountView(account) };
  },
};
