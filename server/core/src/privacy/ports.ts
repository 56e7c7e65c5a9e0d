import type { OtpChallengeRecord } from '../codes/ports.js';
import type { MagicLinkRecord } from '../magic-links/ports.js';
import type { PageRequest } from '../pagination.js';
import type { SessionRecord } from '../sessions/ports.js';
import type { InviteRecord } from '../tenants/ports.js';

/**
 * Privacy (#15): a person's deletion requests and the erasure of their personal data. Which columns hold
 * personal data and what erasure does to each is declared once next to the entities
 * (server/src/entities/personal-data.ts); the rules (who may ask, the grace period, what ends with it, the
 * audit) are `privacy/erasure.ts` and `privacy/handlers.ts`; the stores do the per-table work.
 */

export const deletionRequestStatuses = ['pending', 'cancelled', 'completed'] as const;
export type DeletionRequestStatus = (typeof deletionRequestStatuses)[number];

/** Who carried an erasure out: the person's own request after its grace period (the job), or an admin. */
export interface ErasureActor {
  type: 'system' | 'account' | 'api_key';
  id: string | null;
}

/** A person's request to be erased, made from one tenant (whose admins see it and whose grace period applies). */
export interface DeletionRequestRecord {
  id: string;
  tenantId: string;
  /** The account the request was made from (kept, as a pseudonymous id, after the erasure). */
  accountId: string;
  personId: string;
  status: DeletionRequestStatus;
  /** When it was asked for. */
  createdAt: Date;
  /** When the grace period ends: the job erases the person then. */
  scheduledFor: Date;
  cancelledAt: Date | null;
  completedAt: Date | null;
  processedBy: ErasureActor | null;
}

/**
 * The values erasure looks for in rows that are not found by the person's ids (counters keyed by an email,
 * a code sent to a phone, an audit event naming an email): collected from the person's rows first.
 */
export interface PersonalValues {
  personId: string;
  accountIds: string[];
  /** The primary email and the emails identities vouched for (lower-cased). */
  emails: string[];
  /** Phone numbers (E.164) of phone identities. */
  phones: string[];
  /** Every identity's subject (phone, wallet address, Google subject, Privy DID). */
  subjects: string[];
  /**
   * The clients the person was seen on (IP address and user agent of their sessions, second-factor
   * challenges and the audit events about them): events from the same client are theirs too.
   */
  clients: { ip: string | null; userAgent: string | null }[];
}

/**
 * What the export (`GET /auth/me/export`) reads besides the aggregates' own lists: rows found by the
 * person's ids and addresses, as stored (hashes included: the core leaves them out of the document).
 */
export interface PersonalTraces {
  /** Every session of the person, live or ended, oldest first (`createdAt`, then id). */
  sessions: SessionRecord[];
  /**
   * Invites addressed to one of the person's emails or phones, or accepted by one of their accounts
   * (`acceptedBy`: the account the invite made), oldest first.
   */
  invites: (InviteRecord & { acceptedBy: string | null })[];
  /** One-time code challenges sent to one of the person's emails or phones, in any state, oldest first. */
  codes: OtpChallengeRecord[];
  /** Sign-in links mailed to one of the person's emails, in any state, oldest first. */
  magicLinks: MagicLinkRecord[];
}

/** How many rows erasure changed or deleted, by table (for the audit event and the admin's answer). */
export type ErasureCounts = Record<string, number>;

/** The port: deletion requests and the per-table work of an erasure, in the unit of work's transaction. */
export interface PrivacyStore {
  /** The person's pending request, if any (one at a time). */
  pendingOf(personId: string): Promise<DeletionRequestRecord | null>;
  /** A new pending request (the caller checked there is none). */
  create(request: Omit<DeletionRequestRecord, 'id'>): Promise<DeletionRequestRecord>;
  /** The tenant's request with this id, locked for the unit of work when asked; another tenant's is null. */
  find(tenantId: string, id: string, options?: { lock?: boolean }): Promise<DeletionRequestRecord | null>;
  /** The tenant's requests, newest first (`createdAt`, then id), optionally of one status. */
  list(
    tenantId: string,
    request: PageRequest & { status?: DeletionRequestStatus | undefined },
  ): Promise<DeletionRequestRecord[]>;
  /** Pending requests whose grace period ended at `now`, oldest first, at most `limit`. */
  due(now: Date, limit: number): Promise<DeletionRequestRecord[]>;
  update(
    id: string,
    changes: Partial<Pick<DeletionRequestRecord, 'status' | 'cancelledAt' | 'completedAt' | 'processedBy'>>,
  ): Promise<void>;
  /** The tenant's grace period in days (`deletion_grace_days`), null when it keeps the default. */
  graceDays(tenantId: string): Promise<number | null>;
  setGraceDays(tenantId: string, days: number | null): Promise<void>;
  /** The person's values erasure must look for (see `PersonalValues`). */
  personalValues(personId: string): Promise<PersonalValues>;
  /** The rows the export reads by the person's ids and addresses (see `PersonalTraces`). */
  traces(values: PersonalValues): Promise<PersonalTraces>;
  /**
   * Erases what the registry declares personal in every table, for this person (sessions must already be
   * ended, so the revocation feed heard of it): rows deleted, columns nulled or emptied, audit events about
   * them stripped of their personal fields (`erasePersonalFields`: the chain stays whole). Accounts are left
   * to the core (their status is a rule). Answers the counts by table.
   */
  erase(values: PersonalValues): Promise<ErasureCounts>;
}
