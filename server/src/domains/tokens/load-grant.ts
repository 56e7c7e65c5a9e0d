import type { AccountGrant } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Account, type IAccount } from '../../entities/accounts.js';
import { GroupMembership } from '../../entities/groups.js';

/** What an account may do right now: the inputs of an access token's authorization claims. */
export interface Grant extends AccountGrant {
  account: IAccount;
}

/** Loads an account's role, group names and grant version (undefined if the account does not exist). */
export async function loadGrant(em: EntityManager, accountId: string): Promise<Grant | undefined> {
  const account = await em.findOne(Account, accountId);
  if (!account) return undefined;
  return grantOf(account, await groupNamesOf(em, accountId));
}

/** The account's group names, sorted. */
export async function groupNamesOf(em: EntityManager, accountId: string): Promise<string[]> {
  const memberships = await em.find(GroupMembership, { account: accountId }, { populate: ['group'] });
  return memberships.map((membership) => membership.group.name).sort();
}

/** The grant of a loaded account with its group names. */
export const grantOf = (account: IAccount, groups: string[]): Grant => ({
  account,
  accountId: account.id,
  personId: account.person.id,
  tenantId: account.tenant.id,
  active: account.active,
  roles: [...account.roles],
  groups,
  grantVersion: account.grantVersion,
  publicMetadata: structuredClone(account.publicMetadata ?? {}),
});

/**
 * Marks a change to what the account may do (role, groups, active). Call it in the same unit of work as
 * the change, so tokens minted before it can be told apart by their `grant_version` claim.
 */
export const bumpGrantVersion = (account: IAccount): void => {
  account.grantVersion += 1;
};
