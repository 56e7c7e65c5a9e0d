import type { PageRequest, VisibleRequest } from '../pagination.js';

/** An account as the directory's rules read it: one person's membership in one tenant. */
export interface AccountRecord {
  id: string;
  tenantId: string;
  personId: string;
  role: string;
  active: boolean;
  createdAt: Date;
}

/** An account as the API shows it: with its person's email and its group names (sorted). */
export interface AccountProfile extends AccountRecord {
  email: string | null;
  groups: string[];
}

/** What `GET /accounts` may narrow a list to, besides what the caller may see. */
export interface AccountFilter {
  email?: string | undefined;
  role?: string | undefined;
  active?: boolean | undefined;
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
  create(input: { personId: string; tenantId: string; role: string }): Promise<AccountRecord>;
  /** A page of the tenant's accounts that `request.visible` and the filter let through, in page order. */
  list(tenantId: string, request: VisibleRequest & AccountFilter): Promise<AccountRecord[]>;
  /** The accounts with their emails and group names, as they are now, in the order of `accountIds`. */
  profiles(accountIds: string[]): Promise<AccountProfile[]>;
  /** A page of the person's accounts in every tenant (their memberships), active or not, in page order. */
  ofPerson(personId: string, request: PageRequest): Promise<AccountRecord[]>;
  /** How many active accounts of the tenant, other than `exceptId`, hold one of `roles`. */
  countActive(tenantId: string, roles: string[], exceptId: string): Promise<number>;
  /** Changes the account's role or status (the caller bumps its grant version with it). */
  update(accountId: string, changes: { role?: string; active?: boolean }): Promise<void>;
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
  /** Ends every live session of the account now (no refresh; its access tokens refused): how many. */
  endAll(accountId: string, reason: string): Promise<number>;
  /**
   * Ends every live session of the person, in every tenant, but `except` (the caller's own, when given):
   * how many (a password change or reset).
   */
  endAllOfPerson(personId: string, reason: string, except?: string): Promise<number>;
}
