import type { GroupRecord, GroupStore, MembershipRecord, VisibleRequest } from '@enforcer/core';
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
}
