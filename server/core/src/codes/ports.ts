/**
 * What a one-time code is for. `login`: signing in to one tenant (email). `verify_email`: proving an email
 * only (no tenant; self-serve tenants take it). `password_reset`: setting a new password (per tenant).
 * `phone_login`: signing in to one tenant by SMS. `verify_phone`: proving a number (linking it).
 */
export type OtpPurpose = 'login' | 'verify_email' | 'password_reset' | 'phone_login' | 'verify_phone';

/**
 * A code is bound to all three: a code for one address (or tenant, or purpose) never works for another.
 * The address is a lower-cased email or an E.164 number (the purpose keeps the two apart).
 */
export interface OtpScope {
  address: string;
  /** Null for codes that only prove an address (`verify_email`, `verify_phone`). */
  tenantId: string | null;
  purpose: OtpPurpose;
}

/** One issued code. Only a keyed hash of the code is stored, never the code. */
export interface OtpChallengeRecord extends OtpScope {
  id: string;
  /** HMAC-SHA256 (base64url) of the code, bound to the challenge id and the scope. */
  codeHash: string;
  expiresAt: Date;
  /** Wrong codes tried so far (carried over from the challenge this one superseded). */
  attempts: number;
  consumedAt: Date | null;
  createdAt: Date;
}

/**
 * One scope's challenges, locked for the length of an `OtpChallengeStore.withScope` call: reads see the
 * scope as it is now (with this transaction's own writes), and the writes commit together when the
 * call's work returns.
 */
export interface OtpScopeTransaction {
  /** The scope's live challenges (not consumed, expiring after `now`), newest first. */
  live(now: Date): Promise<OtpChallengeRecord[]>;
  /** Adds a challenge of this scope (one of another scope throws). */
  insert(challenge: OtpChallengeRecord): Promise<void>;
  /** Spends a challenge of this scope: it is no longer live. */
  consume(id: string, at: Date): Promise<void>;
  /** Counts one more wrong code against a challenge of this scope; resolves to its new count. */
  countWrongAttempt(id: string): Promise<number>;
}

/** The storage port of one-time code challenges. */
export interface OtpChallengeStore {
  /**
   * In one transaction: locks the scope, runs `work`, and commits what `work` wrote. Concurrent calls for
   * one scope run one after the other, so of two uses of one code only one finds it live, and two wrong
   * codes both count. When `work` throws, nothing it wrote is kept.
   */
  withScope<T>(scope: OtpScope, work: (challenges: OtpScopeTransaction) => Promise<T>): Promise<T>;
  /** A challenge as stored, by id (live or not), or null. */
  find(id: string): Promise<OtpChallengeRecord | null>;
}
