import type { PageRequest } from '../pagination.js';

/**
 * A login session: one refresh-token family (RFC 9700), bound to one account and so one tenant.
 * Revoking it ends every refresh token of the family.
 */
export interface SessionRecord {
  id: string;
  accountId: string;
  personId: string;
  tenantId: string;
  /** Authentication methods used at sign-in (RFC 8176 style: `otp`, `pwd`, `hwk`, ...). */
  amr: string[];
  /** When the session last completed a second factor, if ever. */
  mfaAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  /**
   * The account acting in this session (impersonation, #14): the session has no refresh token and ends
   * when that account leaves `active`. Null or absent for a session of the account's own.
   */
  actorAccountId?: string | null;
}

/** One refresh token of a family. Only the SHA-256 of the opaque token is kept. */
export interface RefreshTokenRecord {
  id: string;
  sessionId: string;
  tokenHash: string;
  parentId: string | null;
  replacedById: string | null;
  usedAt: Date | null;
  createdAt: Date;
  /** Idle expiry: min(issued + idle TTL, the session's absolute expiry). */
  expiresAt: Date;
}

/**
 * One refresh token and its session, locked for the length of a `SessionStore.withFamily` call: the
 * reads see the family as it is now, and the writes commit together when the call's work returns.
 */
export interface FamilyTransaction {
  readonly token: RefreshTokenRecord;
  /** The session as of now, with this transaction's own writes. */
  readonly session: SessionRecord;
  findToken(id: string): Promise<RefreshTokenRecord | null>;
  insertToken(token: RefreshTokenRecord): Promise<void>;
  markUsed(tokenId: string, usedAt: Date, replacedById: string): Promise<void>;
  /** Changes the session: its use (`lastUsedAt`, `ip`, `userAgent`) or its end (`revokedAt`, `revokeReason`). */
  updateSession(changes: SessionChanges): Promise<void>;
}

export type SessionChanges = Partial<
  Pick<SessionRecord, 'lastUsedAt' | 'ip' | 'userAgent' | 'revokedAt' | 'revokeReason'>
>;

/** Whose sessions a list is about: a person's (in every tenant) or one account's. */
export type SessionOwner = { personId: string } | { accountId: string };

/** The storage port of sessions and refresh tokens. */
export interface SessionStore {
  /** Stores a new session with its first refresh token. A token hash is unique: a duplicate throws. */
  insertSession(session: SessionRecord, token: RefreshTokenRecord): Promise<void>;
  /**
   * In one transaction: finds the token with this hash, locks it and its session, runs `work`, and
   * commits what `work` wrote. Concurrent calls for one family run one after the other. When `work`
   * throws, nothing it wrote is kept. Resolves to undefined (without calling `work`) for an unknown hash.
   */
  withFamily<T>(tokenHash: string, work: (family: FamilyTransaction) => Promise<T>): Promise<T | undefined>;
  /**
   * Stores a session that has no refresh tokens (a bearer issued elsewhere acts in it: a Privy session;
   * or an impersonation, with `actorAccountId`), unless a session with its id exists: then the one stored
   * stays as it is.
   */
  insertBearerSession(session: SessionRecord): Promise<void>;
  findSession(id: string): Promise<SessionRecord | null>;
  findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  /**
   * Step-up: adds `amr` to a live session's (a set: no value twice) and sets its `mfaAt`. The session as
   * it now is, or null when it is unknown or ended.
   */
  stepUp(id: string, amr: readonly string[], mfaAt: Date): Promise<SessionRecord | null>;
  /** Ends a live session; false when it is unknown or already ended. */
  revokeSession(id: string, reason: string, at: Date): Promise<boolean>;
  /** Ends every live session of the person, in every tenant (logout everywhere): how many. */
  revokeOfPerson(personId: string, reason: string, at: Date): Promise<number>;
  /**
   * A page of the owner's sessions live at `now` (not ended, absolute expiry after `now`), in page order
   * (oldest first, ties by id), after `request.after`, at most `request.limit` of them.
   */
  listLive(owner: SessionOwner, request: PageRequest & { now: Date }): Promise<SessionRecord[]>;
  /**
   * The distinct `User-Agent`s of the account's sessions still stored (live or ended, null for none sent),
   * the most recently used first, at most `limit`: the devices it has signed in from (new-device notices).
   */
  userAgentsOf(accountId: string, limit: number): Promise<(string | null)[]>;
}
