/** What a challenge is for; a challenge of one purpose never works for another. */
export type ChallengePurpose = 'passkey_register' | 'passkey_login' | 'siwe' | 'google_nonce';

/**
 * A single-use server-side challenge: a WebAuthn ceremony's challenge, a SIWE nonce, or a Google nonce
 * recorded as seen. Only the SHA-256 (hex) of the value is kept; `(purpose, valueHash)` is unique.
 */
export interface ChallengeRecord {
  id: string;
  purpose: ChallengePurpose;
  valueHash: string;
  tenantId: string | null;
  /** The signed-in person a registration challenge was issued to. */
  personId: string | null;
  /** What the ceremony needs to remember (a passkey name, the email a login started with). */
  data: Record<string, unknown> | null;
  expiresAt: Date;
  consumedAt: Date | null;
  createdAt: Date;
}

/** Which challenge to spend, and the scope it must have been issued in. */
export interface ChallengeLookup {
  by: { id: string } | { valueHash: string };
  purpose: ChallengePurpose;
  tenantId: string | null;
  /** When given, the challenge must have been issued to this person (or to nobody, for null). */
  personId?: string | null;
}

/** The port to challenges, in the unit of work's transaction. */
export interface ChallengeStore {
  /**
   * Stores a challenge. When `(purpose, valueHash)` exists already, stores nothing and answers false
   * (a Google nonce seen before); true otherwise.
   */
  insert(record: ChallengeRecord): Promise<boolean>;
  /**
   * Spends the live challenge that matches (unconsumed, unexpired at `at`, same purpose, tenant and,
   * when asked, person): marks it consumed at `at` and returns it; null when there is none. Of two
   * concurrent spends of one challenge exactly one wins.
   */
  consume(lookup: ChallengeLookup, at: Date): Promise<ChallengeRecord | null>;
  /** Deletes some challenges that expired before `before` (a bounded batch), so the table stays small. */
  sweep(before: Date): Promise<void>;
}
