import type { GroupRecord, GroupStore, MembershipRecord } from '../../groups/ports.js';
import { type PageRequest, pageInMemory, type VisibleRequest } from '../../pagination.js';
import { groupResource } from '../../policy/resources.js';
import type { MemoryDatabase } from './database.js';

/** A group row of the memory database: the record and its members (account id → when it joined). */
export interface MemoryGroupRow extends GroupRecord {
  members: Map<string, Date>;
}

const byName = (a: GroupRecord, b: GroupRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A copy without the members: callers never hold a live row. */
const recordOf = ({ members: _members, ...group }: MemoryGroupRow): GroupRecord => ({
  ...group,
  permissions: [...group.permissions],
});

/** A new group row (one name per tenant, as PostgreSQL's unique index), at once: `insert` and seeding. */
export function insertGroup(
  db: MemoryDatabase,
  input: Omit<GroupRecord, 'id' | 'createdAt'>,
): MemoryGroupRow {
  for (const g of db.tables.groups.values()) {
    if (g.tenantId === input.tenantId && g.name === input.name) {
      throw new Error(`duplicate group name "${input.name}" in tenant ${input.tenantId}`);
    }
  }
  const row: MemoryGroupRow = {
    ...input,
    permissions: [...input.permissions],
    id: crypto.randomUUID(),
    createdAt: db.now(),
    members: new Map(),
  };
  db.tables.groups.set(row.id, row);
  return row;
}

/** Groups and memberships over the memory database's `groups` table. */
export class MemoryGroupStore implements GroupStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  #of(tenantId: string): MemoryGroupRow[] {
    return [...this.#db.tables.groups.values()].filter((g) => g.tenantId === tenantId);
  }

  async list(tenantId: string, request: VisibleRequest): Promise<GroupRecord[]> {
    return pageInMemory(this.#of(tenantId), request, (g) => groupResource(g).attributes).map(recordOf);
  }

  async find(tenantId: string, groupId: string): Promise<GroupRecord | null> {
    const group = this.#db.tables.groups.get(groupId);
    return group && group.tenantId === tenantId ? recordOf(group) : null;
  }

  async findByName(tenantId: string, name: string): Promise<GroupRecord | null> {
    const group = this.#of(tenantId).find((g) => g.name === name);
    return group ? recordOf(group) : null;
  }

  async insert(input: Omit<GroupRecord, 'id' | 'createdAt'>): Promise<GroupRecord> {
    return recordOf(insertGroup(this.#db, input));
  }

  async membership(groupId: string, accountId: string): Promise<MembershipRecord | null> {
    const group = this.#db.tables.groups.get(groupId);
    const at = group?.members.get(accountId);
    return group && at ? { groupId, accountId, tenantId: group.tenantId, createdAt: at } : null;
  }

  async addMember(group: GroupRecord, accountId: string): Promise<MembershipRecord> {
    const row = this.#db.tables.groups.get(group.id);
    if (!row) throw new Error(`no group ${group.id}`);
    if (row.members.has(accountId)) throw new Error(`account ${accountId} is already in group ${group.id}`);
    const createdAt = this.#db.now();
    row.members.set(accountId, createdAt);
    return { groupId: row.id, accountId, tenantId: row.tenantId, createdAt };
  }

  async removeMember(groupId: string, accountId: string): Promise<boolean> {
    return this.#db.tables.groups.get(groupId)?.members.delete(accountId) ?? false;
  }

  async ofAccount(tenantId: string, accountId: string): Promise<GroupRecord[]> {
    return this.#of(tenantId)
      .filter((g) => g.members.has(accountId))
      .sort(byName)
      .map(recordOf);
  }

  async update(
    groupId: string,
    changes: { description?: string | null; permissions?: string[] },
  ): Promise<GroupRecord> {
    const row = this.#db.tables.groups.get(groupId);
    if (!row) throw new Error(`no group ${groupId}`);
    if (changes.description !== undefined) row.description = changes.description;
    if (changes.permissions !== undefined) row.permissions = [...changes.permissions];
    return recordOf(row);
  }

  async delete(groupId: string): Promise<string[]> {
    const row = this.#db.tables.groups.get(groupId);
    if (!row) return [];
    this.#db.tables.groups.delete(groupId);
    return [...row.members.keys()];
  }

  async members(groupId: string, request: PageRequest): Promise<MembershipRecord[]> {
    const row = this.#db.tables.groups.get(groupId);
    if (!row) return [];
    const memberships = [...row.members].map(([accountId, createdAt]) => ({
      id: accountId,
      groupId,
      accountId,
      tenantId: row.tenantId,
      createdAt,
    }));
    return pageInMemory(memberships, request, () => ({})).map(({ id: _id, ...m }) => m);
  }
}
