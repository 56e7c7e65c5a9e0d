import type { contract } from '@enforcer/contract';
import { toPredicate } from '@enforcer/contract/policy';
import type { MockContext, RouterImpl } from '../context';
import { subjectOfPrincipal } from '../dispatch';
import { MockError } from '../problem';
import type { AccountRow, GroupRow } from '../store';
import { accountResource, assertNoEscalation, groupResource, groupView, requireAllowed } from './grants';
import { byPage, paginate, principalOf, tenantIdOf } from './helpers';

/** The group and the account a membership change is about (404s), and the caller allowed to change it. */
function membershipTargets(
  ctx: MockContext,
  groupId: string,
  accountId: string,
): { group: GroupRow; account: AccountRow } {
  const { store } = ctx;
  const principal = principalOf(ctx);
  const tenantId = tenantIdOf(ctx);
  const group = store.groups.get(groupId);
  if (!group || group.tenantId !== tenantId) throw new MockError('not_found', 'No such group');
  requireAllowed(store.policyOf(tenantId).compiled, subjectOfPrincipal(store, principal), {
    action: 'groups.members.write',
    readAction: 'groups.read',
    resource: groupResource(group),
    what: 'group',
  });
  const account = store.accounts.get(accountId);
  if (!account || account.tenantId !== tenantId) throw new MockError('not_found', 'No such account');
  assertNoEscalation(ctx, principal, groupView(store, group).permissions);
  return { group, account };
}

export const groupsRoutes: RouterImpl<typeof contract.groups> = {
  /** Filtered by the engine (`groups.read` on `group`), as the server's list. */
  list: ({ query }, ctx) => {
    const { store } = ctx;
    const tenantId = tenantIdOf(ctx);
    const plan = store
      .policyOf(tenantId)
      .compiled.plan(subjectOfPrincipal(store, principalOf(ctx)), 'groups.read', 'group');
    const visible = toPredicate(plan);
    const rows = store
      .groupsOf(tenantId)
      .filter((g) => visible(groupResource(g).attributes))
      .sort(byPage)
      .map((g) => groupView(store, g));
    return { status: 200, body: paginate(rows, query) };
  },

  create: ({ body }, ctx) => {
    const tenantId = tenantIdOf(ctx);
    const permissions = [...new Set(body.permissions ?? [])];
    assertNoEscalation(ctx, principalOf(ctx), permissions);
    if (ctx.store.groupByName(tenantId, body.name)) {
      throw new MockError('conflict', `A group named "${body.name}" already exists`);
    }
    const group = ctx.store.createGroup(tenantId, {
      name: body.name,
      description: body.description || null,
      permissions,
    });
    return { status: 201, body: groupView(ctx.store, group) };
  },

  addMember: ({ params, body }, ctx) => {
    const { group, account } = membershipTargets(ctx, params.id, body.account_id);
    const existing = group.members.get(account.id);
    const at = existing ?? ctx.store.now();
    if (existing === undefined) {
      group.members.set(account.id, at);
      ctx.store.bumpGrant(account);
    }
    return {
      status: existing === undefined ? 201 : 200,
      body: { group_id: group.id, account_id: account.id, created_at: new Date(at).toISOString() },
    };
  },

  removeMember: ({ params }, ctx) => {
    const { group, account } = membershipTargets(ctx, params.id, params.account_id);
    if (group.members.delete(account.id)) ctx.store.bumpGrant(account);
    return { status: 204, body: undefined };
  },

  listForAccount: ({ params }, ctx) => {
    const { store } = ctx;
    const tenantId = tenantIdOf(ctx);
    const account = store.accounts.get(params.id);
    if (!account || account.tenantId !== tenantId) throw new MockError('not_found', 'No such account');
    requireAllowed(store.policyOf(tenantId).compiled, subjectOfPrincipal(store, principalOf(ctx)), {
      action: 'accounts.read',
      readAction: 'accounts.read',
      resource: accountResource(account),
      what: 'account',
    });
    const groups = store.groupsOf(tenantId).filter((g) => g.members.has(account.id));
    return { status: 200, body: { data: groups.map((g) => groupView(store, g)) } };
  },
};
