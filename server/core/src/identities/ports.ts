import type { Repositories } from '../store.js';

/** A passkey as one of the person's sign-in methods. */
export interface PasskeyMethod {
  id: string;
  credentialId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/**
 * The person's passkeys, as the identity rules see them (listed with the other methods, counted so the
 * last way to sign in is never removed, deleted from `DELETE /auth/identities/{id}`). Each side gives it
 * over its passkey rows in the unit of work's transaction, until passkeys have a port of their own.
 */
export interface PersonPasskeys {
  /** The person's passkeys, oldest first. */
  ofPerson(repos: Repositories, personId: string): Promise<PasskeyMethod[]>;
  delete(repos: Repositories, id: string): Promise<void>;
}
