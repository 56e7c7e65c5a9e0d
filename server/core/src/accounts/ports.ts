/** An account as the directory's rules read it: one person's membership in one tenant. */
export interface AccountRecord {
  id: string;
  tenantId: string;
  personId: string;
  role: string;
  active: boolean;
  createdAt: Date;
}

/** The port to a tenant's accounts. */
export interface AccountStore {
  /**
   * The account, when it is in `tenantId` (null otherwise: another tenant's account is no different from
   * none). With `lock`, its row is locked until the unit of work ends, so changes to what one account may do
   * are made one at a time and its grant version counts each.
   */
  find(tenantId: string, accountId: string, options?: { lock?: boolean }): Promise<AccountRecord | null>;
  /**
   * Marks a change to what the account may do (role, groups, active), in the unit of work's transaction:
   * tokens minted before it carry the old `grant_version`, and cached principals learn of the change.
   */
  bumpGrantVersion(accountId: string): Promise<void>;
}
