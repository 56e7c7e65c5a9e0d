/** A person's password: one per person, valid in every tenant that accepts `password`. Only its hash. */
export interface PasswordRecord {
  personId: string;
  /** The `PasswordHasher`'s self-describing string (argon2id PHC on the server, PBKDF2 in the mock). */
  hash: string;
  createdAt: Date;
  changedAt: Date;
}

/** The port to persons' passwords, in the unit of work's transaction. */
export interface PasswordStore {
  find(personId: string): Promise<PasswordRecord | null>;
  /** Sets the person's password hash: creates the record, or replaces the hash (`changedAt` = `at`). */
  set(personId: string, hash: string, at: Date): Promise<void>;
  /** Replaces the hash of the same password (stronger parameters): `changedAt` stays. */
  rehash(personId: string, hash: string): Promise<void>;
  /** Drops the person's password; true when there was one. */
  delete(personId: string): Promise<boolean>;
}

/**
 * The platform port of password hashing: a slow, salted, self-describing hash. The server's is argon2id
 * (node), the mock's and browsers' PBKDF2-SHA256 over WebCrypto (`pbkdf2PasswordHasher`). Both compare
 * passwords as Unicode NFKC (`normalizePassword`).
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time; false (never a throw) for a malformed stored hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with weaker parameters than today's (upgraded at the next sign-in). */
  needsRehash(hash: string): boolean;
}
