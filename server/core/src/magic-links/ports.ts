/**
 * One mailed sign-in link. Only the SHA-256 (base64url) of its token is kept; bound to the email
 * (lower-cased) and the tenant; single use.
 */
export interface MagicLinkRecord {
  id: string;
  tokenHash: string;
  tenantId: string;
  email: string;
  expiresAt: Date;
  /** Spent by a sign-in, or superseded by a newer link. */
  consumedAt: Date | null;
  createdAt: Date;
}

/** The port to magic links and to each tenant's allowed redirect URLs, in the unit of work's transaction. */
export interface MagicLinkStore {
  /** Serialises issuing links for one email and tenant until the unit of work ends (memory: a no-op). */
  lock(tenantId: string, email: string): Promise<void>;
  /** The email's links for the tenant created after `since`, oldest first. */
  createdSince(tenantId: string, email: string, since: Date): Promise<MagicLinkRecord[]>;
  /** Spends every unspent link of the email for the tenant at `at` (a new link supersedes them). */
  supersede(tenantId: string, email: string, at: Date): Promise<void>;
  /** A `tokenHash` already stored throws. */
  insert(link: MagicLinkRecord): Promise<void>;
  /**
   * Spends the tenant's link with this token hash if it is live at `at`. Answers the link as it was
   * before (null when the tenant has none with that hash), so the caller tells used from expired. Of two
   * concurrent spends of one link exactly one sees it unspent.
   */
  spend(tenantId: string, tokenHash: string, at: Date): Promise<MagicLinkRecord | null>;
  /** The tenant's allowed redirect URLs, in the order set (none until an admin sets them). */
  redirectUrls(tenantId: string): Promise<string[]>;
  /** Replaces the tenant's redirect URLs; answers the list before. */
  setRedirectUrls(tenantId: string, urls: string[], at: Date): Promise<string[]>;
}
