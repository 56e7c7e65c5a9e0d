import type { PageRequest, VisibleRequest } from '../pagination.js';

/** A group as stored: a capability gate whose name policies and tokens refer to. */
export interface GroupRecord {
  id: string;
  tenantId: string;
  /** Unique in the tenant. */
  name: string;
  description: string | null;
  /** The permissions stored on the group (the effective policy may add to them, see groupDto). */
  permissions: string[];
  /** Provisioned with the tenant (e.g. `verified`). */
  builtIn: boolean;
  createdAt: Date;
}

export interface MembershipRecord {
  groupId: string;
  accountId: string;
  tenantId: string;
  createdAt: Date;
}

/** The port to a tenant's groups and their memberships. */
export interface GroupStore {
  /** A page of the tenant's groups that `request.visible` lets through, in page order. */
  list(tenantId: string, request: VisibleRequest): Promise<GroupRecord[]>;
  /** The group, when it is in `tenantId` (null otherwise). */
  find(tenantId: string, groupId: string): Promise<GroupRecord | null>;
  findByName(tenantId: string, name: string): Promise<GroupRecord | null>;
  /** Stores a new group (the store gives its id and creation time). A name taken in the tenant throws. */
  insert(group: Omit<GroupRecord, 'id' | 'createdAt'>): Promise<GroupRecord>;
  membership(groupId: string, accountId: string): Promise<MembershipRecord | null>;
  /** Adds the account to the group (of the group's tenant). A membership that exists already throws. */
  addMember(group: GroupRecord, accountId: string): Promise<MembershipRecord>;
  /** Removes the membership; false when there was none. */
  removeMember(groupId: string, accountId: string): Promise<boolean>;
  /** The groups of the tenant the account belongs to, by name. */
  ofAccount(tenantId: string, accountId: string): Promise<GroupRecord[]>;
  /** Writes a group's description and/or permissions; answers it as stored. */
  update(
    groupId: string,
    changes: { description?: string | null; permissions?: string[] },
  ): Promise<GroupRecord>;
  /** Deletes the group with its memberships; answers the ids of the accounts that were members. */
  delete(groupId: string): Promise<string[]>;
  /**
   * A page of the group's memberships, oldest first, ties by account id: `request.after` is a membership's
   * `{ createdAt, id: accountId }`.
   */
  members(groupId: string, request: PageRequest): Promise<MembershipRecord[]>;
}
