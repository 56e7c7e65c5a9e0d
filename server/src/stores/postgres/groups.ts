import type { GroupRecord, GroupStore, MembershipRecord, PageRequest, VisibleRequest } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { groupFields } from '../../domains/policy/resources.js';
import { planFilter } from '../../domains/policy/visible.js';
import { Account } from '../../entities/accounts.js';
import { Group, GroupMembership, type IGroup, type IGroupMembership } from '../../entities/groups.js';
import { Tenant } from '../../entities/tenants.js';
import { afterPosition, pageOrder } from '../../lib/pagination.js';

const groupRecord = (g: IGroup): GroupRecord => ({
  id: g.id,
  tenantId: g.tenant.id,
  name: g.name,
  description: g.description ?? null,
  permissions: [...g.permissions],
  builtIn: g.builtIn,
  createdAt: g.createdAt,
});

const membershipRecord = (m: IGroupMembership): MembershipRecord => ({
  groupId: m.group.id,
  accountId: m.account.id,
  tenantId: m.tenant.id,
  createdAt: m.createdAt,
});

/** Groups (`tenant_group`) and memberships (`group_membership`), in the unit's transaction. */
export class PostgresGroupStore implements GroupStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async list(tenantId: string, request: VisibleRequest): Promise<GroupRecord[]> {
    const rows = await this.#em.find(
      Group,
      {
        $and: [{ tenant: tenantId }, planFilter(request.visible, groupFields), afterPosition(request.after)],
      },
      { orderBy: pageOrder, limit: request.limit },
    );
    return rows.map(groupRecord);
  }

  async find(tenantId: string, groupId: string): Promise<GroupRecord | null> {
    const group = await this.#em.findOne(Group, { id: groupId, tenant: tenantId });
    return group ? groupRecord(group) : null;
  }

  async findByName(tenantId: string, name: string): Promise<GroupRecord | null> {
    const group = await this.#em.findOne(Group, { tenant: tenantId, name });
    return group ? groupRecord(group) : null;
  }

  async insert(input: Omit<GroupRecord, 'id' | 'createdAt'>): Promise<GroupRecord> {
    const group = this.#em.create(Group, {
      tenant: this.#em.getReference(Tenant, input.tenantId),
      name: input.name,
      description: input.description,
      permissions: [...input.permissions],
      builtIn: input.builtIn,
    });
    // Flushed now: the unique name is checked here, and the effective policy read next includes the group.
    await this.#em.flush();
    return groupRecord(group);
  }

  async membership(groupId: string, accountId: string): Promise<MembershipRecord | null> {
    const membership = await this.#em.findOne(GroupMembership, { group: groupId, account: accountId });
    return membership ? membershipRecord(membership) : null;
  }

  async addMember(group: GroupRecord, accountId: string): Promise<MembershipRecord> {
    const membership = this.#em.create(GroupMembership, {
      group: this.#em.getReference(Group, group.id),
      account: this.#em.getReference(Account, accountId),
      tenant: this.#em.getReference(Tenant, group.tenantId),
    });
    await this.#em.flush();
    return membershipRecord(membership);
  }

  async removeMember(groupId: string, accountId: string): Promise<boolean> {
    const removed = await this.#em.nativeDelete(GroupMembership, { group: groupId, account: accountId });
    return removed > 0;
  }

  async ofAccount(tenantId: string, accountId: string): Promise<GroupRecord[]> {
    const memberships = await this.#em.find(
      GroupMembership,
      { account: accountId, tenant: tenantId },
      { populate: ['group'], orderBy: { group: { name: 'asc' } } },
    );
    return memberships.map((m) => groupRecord(m.group));
  }

  async update(
    groupId: string,
    changes: { description?: string | null; permissions?: string[] },
  ): Promise<GroupRecord> {
    const group = await this.#em.findOneOrFail(Group, groupId);
    if (changes.description !== undefined) group.description = changes.description;
    if (changes.permissions !== undefined) group.permissions = [...changes.permissions];
    // Flushed now: the effective policy read next merges the group as changed.
    await this.#em.flush();
    return groupRecord(group);
  }

  async delete(groupId: string): Promise<string[]> {
    const memberships = await this.#em.find(GroupMembership, { group: groupId }, { fields: ['account'] });
    // Memberships first: their row trigger writes each member's revocation event.
    await this.#em.nativeDelete(GroupMembership, { group: groupId });
    await this.#em.nativeDelete(Group, { id: groupId });
    return memberships.map((m) => m.account.id);
  }

  async members(groupId: string, request: PageRequest): Promise<MembershipRecord[]> {
    const after = request.after
      ? {
          $or: [
            { createdAt: { $gt: request.after.createdAt } },
            { createdAt: request.after.createdAt, account: { $gt: request.after.id } },
          ],
        }
      : {};
    const rows = await this.#em.find(
      GroupMembership,
      { $and: [{ group: groupId }, after] },
      { orderBy: { createdAt: 'asc', account: 'asc' }, limit: request.limit },
    );
    return rows.map(membershipRecord);
  }
}
