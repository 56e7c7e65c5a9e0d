/**
 * The change log behind `GET /revocations`: a session revoked or deleted; an account's role, active flag,
 * grant version or group memberships changed, or the account deleted; an application's token revoked, an
 * application's scopes changed or the application deleted (#18). PostgreSQL's triggers write it in the same
 * transaction as the change; the memory store appends to it where the change is made.
 */
export const revocationEventKinds = [
  'session_revoked',
  'account_changed',
  'client_token_revoked',
  'application_changed',
] as const;
export type RevocationEventKind = (typeof revocationEventKinds)[number];

export interface RevocationEventRecord {
  /** Order of writing within a transaction. */
  id: bigint;
  /** The writing transaction (`pg_current_xact_id()`): what a feed snapshot says was committed. */
  xid: bigint;
  tenantId: string;
  kind: RevocationEventKind;
  sessionId: string | null;
  /** The account (session and account events); null for an application's. */
  accountId: string | null;
  /** The application's client id (`client_token_revoked`, `application_changed`); null otherwise. */
  clientId: string | null;
  /** The revoked client token's `jti` (`client_token_revoked`); null otherwise. */
  jti: string | null;
  createdAt: Date;
}

/** One read of the log (cursor.ts says what the snapshots are). */
export interface FeedQuery {
  tenantId: string;
  /** The snapshot to read in: the one the pages of this poll are cut from, or null for the current one. */
  snapshot: string | null;
  /** Events committed in this snapshot were read by an earlier poll; null: none was, so start with the window. */
  seen: string | null;
  /** With `seen` null: only events of the last this many seconds (of the store's clock). */
  retentionSeconds: number;
  /** Only events after this one, by `(xid, id)`. */
  after: { xid: bigint; id: bigint };
  limit: number;
}

/** An account as it is now, for the feed's `accounts` (grant version, role, groups sorted, active). */
export interface FeedAccountState {
  accountId: string;
  active: boolean;
  roles: string[];
  groups: string[];
  grantVersion: number;
}

/** The port to the revocation feed's log. */
export interface RevocationFeedStore {
  /**
   * Events of the tenant committed in `snapshot` (or now) and not in `seen`, after `after`, in `(xid, id)`
   * order, `limit` at most; and the snapshot they were read in (text, `xmin:xmax:xip,...`).
   */
  read(query: FeedQuery): Promise<{ snapshot: string; events: RevocationEventRecord[] }>;
  /** The accounts of the tenant among `accountIds` as they are now (deleted ones are absent). */
  accountStates(tenantId: string, accountIds: string[]): Promise<FeedAccountState[]>;
  /** Deletes events older than `seconds` (of the store's clock); how many went. */
  prune(seconds: number): Promise<number>;
}
