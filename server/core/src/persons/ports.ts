import type { LinkedProvider } from '@enforcer/contract';

/**
 * A person: one human, across every tenant they have an account in. The primary email (unique, may be
 * absent for someone who signs in with a wallet, a phone or Privy) is proven when `emailVerifiedAt` is set.
 */
export interface PersonRecord {
  id: string;
  email: string | null;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  profile: PersonProfile;
}

/** What a person says about themselves (`PATCH /auth/me`): shown by apps, never used to sign in or decide. */
export interface PersonProfile {
  displayName: string | null;
  avatarUrl: string | null;
  /** A BCP 47 language tag. */
  locale: string | null;
  /** An IANA time zone. */
  timeZone: string | null;
}

export const emptyProfile: PersonProfile = Object.freeze({
  displayName: null,
  avatarUrl: null,
  locale: null,
  timeZone: null,
});

/** The port to persons. */
export interface PersonStore {
  find(id: string): Promise<PersonRecord | null>;
  /** The person with this primary email (emails are stored lower-cased by the sign-in rules). */
  findByEmail(email: string): Promise<PersonRecord | null>;
  /**
   * Serialises, until the unit of work ends, everything that creates a person or one of their accounts
   * under `key` (the email, or the person's id when there is none): concurrent first sign-ins of one email
   * make one person, and a unique constraint never turns a race into a 500. Memory: a no-op (units of
   * work run one at a time).
   */
  lock(key: string): Promise<void>;
  create(input: { email: string | null; emailVerifiedAt: Date | null }): Promise<PersonRecord>;
  /** Marks the person's email proven (the first proof of it). */
  markEmailVerified(personId: string, at: Date): Promise<void>;
  /**
   * Gives a person who has no email one, proven at `at` (a linked provider vouched for it). Callers hold
   * the email's lock and have checked nobody has it.
   */
  adoptEmail(personId: string, email: string, at: Date): Promise<void>;
  /** Changes the fields of the person's profile given (undefined: unchanged; null: cleared). */
  updateProfile(personId: string, changes: Partial<PersonProfile>): Promise<void>;
}

/**
 * An external sign-in method bound to one person: a phone number (`phone_otp`, E.164), a Google account
 * (issuer|subject), an Ethereum address (`siwe`, EIP-55) or a Privy user (DID). `(provider, subject)` is
 * unique: an identity belongs to exactly one person.
 */
export interface IdentityRecord {
  id: string;
  personId: string;
  provider: LinkedProvider;
  subject: string;
  /** An email the provider vouched for when the identity was last used (Google); informational. */
  email: string | null;
  verifiedAt: Date;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The port to persons' linked identities. */
export interface IdentityStore {
  /** Serialises what creates or moves one identity until the unit of work ends (see `PersonStore.lock`). */
  lock(provider: LinkedProvider, subject: string): Promise<void>;
  findBySubject(provider: LinkedProvider, subject: string): Promise<IdentityRecord | null>;
  /** The person's identities, oldest first. */
  ofPerson(personId: string): Promise<IdentityRecord[]>;
  /** A `(provider, subject)` already linked throws (callers check under `lock` first). */
  create(input: Omit<IdentityRecord, 'id' | 'createdAt'>): Promise<IdentityRecord>;
  /** A sign-in with the identity: when, and the email the provider vouches for now (if any). */
  touch(id: string, changes: { lastUsedAt: Date; email?: string | null }): Promise<void>;
  delete(id: string): Promise<void>;
}
