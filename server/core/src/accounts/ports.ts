import type { AccountStatus, Metadata } from '@enforcer/contract';
import type { PageRequest, VisibleRequest } from '../pagination.js';

/** Who changed an account's status: an admin's account or an API key. */
export interface StatusActor {
  type: 'account' | 'api_key';
  id: string;
}

/** An account's status and how it got there (`accounts/status.ts` holds the rules). */
export interface AccountStatusFields {
  status: AccountStatus;
  statusReason: string | null;
  statusChangedAt: Date | null;
  statusChangedBy: StatusActor | null;
  /** With `status` `locked`: when the lock lapses (null: until lifted). Null for any other status. */
  lockedUntil: Date | null;
}

/**
 * An account's metadata (#14): `publicMetadata` read by its user and written by admins (a source of policy
 * subject attributes), `privateMetadata` for admins only, `userMetadata` written by its user. JSON objects.
 */
export interface AccountMetadata {
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  userMetadata: Metadata;
}

/** An account as the directory's rules read it: one person's membership in one tenant. */
export interface AccountRecord extends AccountStatusFields {
  id: string;
  tenantId: string;
  personId: string;
  /** The primary role: `roles[0]` (the API's `role`, kept for clients written before `roles`). */
  role: string;
  /**
   * Every role the account holds, in the order they were granted (never empty, no duplicates): what its
   * tokens and decisions carry. The API shows them sorted.
   */
  roles: string[];
  /** `status === 'active'` (stored with it: grants, the revocation feed and counts read it). */
  active: boolean;
  createdAt: Date;
  metadata: AccountMetadata;
}

/** An account as the API shows it: with its person's email and its group names (sorted). */
export interface AccountProfile extends AccountRecord {
  email: string | null;
  groups: string[];
}

/** What `GET /accounts` may narrow a list to, besides what the caller may see. */
export interface AccountFilter {
  email?: string | undefined;
  /** Only accounts that hold this role (among others). */
  role?: string | undefined;
  /** Only accounts in one of these statuses (undefined: any). */
  statuses?: readonly AccountStatus[] | undefined;
}

/** The port to a tenant's accounts. */
export interface AccountStore {
  /**
   * The account, when it is in `tenantId` (null otherwise: another tenant's account is no different from
   * none). With `lock`, its row is locked until the unit of work ends, so changes to what one account may do
   * are made one at a time and its grant version counts each.
   */
  find(tenantId: string, accountId: string, options?: { lock?: boolean }): Promise<AccountRecord | null>;
  /** The person's account in the tenant, if they have one (one account per person and tenant). */
  findOfPerson(personId: string, tenantId: string): Promise<AccountRecord | null>;
  /**
   * A new, active account at grant version 1. Callers hold the person's lock (`PersonStore.lock`) and have
   * checked that the person has no account in the tenant.
   */
  create(input: {
    personId: string;
    tenantId: string;
    role: string;
    /** Every role, grant order (`role` first when given both): provisioning's several roles. */
    roles?: readonly string[];
  }): Promise<AccountRecord>;
  /** A page of the tenant's accounts that `request.visible` and the filter let through, in page order. */
  list(tenantId: string, request: VisibleRequest & AccountFilter): Promise<AccountRecord[]>;
  /** The accounts with their emails and group names, as they are now, in the order of `accountIds`. */
  profiles(accountIds: string[]): Promise<AccountProfile[]>;
  /** A page of the person's accounts in every tenant (their memberships), active or not, in page order. */
  ofPerson(personId: string, request: PageRequest): Promise<AccountRecord[]>;
  /** How many active accounts of the tenant, other than `exceptId`, hold at least one of `roles`. */
  countActive(tenantId: string, roles: string[], exceptId: string): Promise<number>;
  /**
   * Changes the account's roles, status (all five status fields at once; `active` follows `status`) or
   * metadata objects (each given one replaced whole). `roles` replaces every role (grant order, non-empty,
   * no duplicates: the core checks); `role` is `roles: [role]`. The caller bumps its grant version with a
   * change of roles, status or public metadata.
   */
  update(
    accountId: string,
    changes: {
      role?: string;
      roles?: readonly string[];
      status?: AccountStatusFields;
      metadata?: Partial<AccountMetadata>;
    },
  ): Promise<void>;
  /**
   * Marks a change to what the account may do (role, groups, active), in the unit of work's transaction:
   * tokens minted before it carry the old `grant_version`, and cached principals learn of the change.
   */
  bumpGrantVersion(accountId: string): Promise<void>;
  /** The account's person: its email and its phone numbers (E.164), which its sign-ins are counted under. */
  contacts(accountId: string): Promise<{ personId: string; email: string | null; phones: string[] }>;
}

/** The sessions of accounts, as far as account administration needs them. */
export interface AccountSessions {
  /**
   * Ends every live session of the account now (no refresh; its access tokens refused): the ids of the
   * sessions it ended (each one a `session.ended` webhook event).
   */
  endAll(accountId: string, reason: string): Promise<string[]>;
  /**
   * Ends every live session of the person, in every tenant, but `except` (the caller's own, when given):
   * how many (a password change or reset).
   */
  endAllOfPerson(personId: string, reason: string, except?: string): Promise<number>;
  /** Ends every live session the account acts in as someone else (its impersonations, #14): how many. */
  endActedBy(actorAccountId: string, reason: string): Promise<number>;
}
