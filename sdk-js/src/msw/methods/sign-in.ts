import {
  forgetUnprovenCredentials,
  MOCK_PBKDF2_ITERATIONS,
  passwordSignIn,
  pbkdf2PasswordHasher,
  personIdentifier,
  type ThrottleSubject,
} from '@enforcer/core';
import type { MockStore, PersonRow } from '../store';

/**
 * What the mock's sign-in still keeps of its own: its password hasher (the core's PBKDF2 at a low cost) and
 * two helpers of the password reset routes. Everything else is the core's (server/core/src/auth, methods).
 */

// --- passwords: the core's rules (server/core/src/passwords) --------------------------------------

/** PBKDF2-SHA256 over WebCrypto at the mock's deliberately low cost (argon2id on the server). */
export const passwordHasher = pbkdf2PasswordHasher({ iterations: MOCK_PBKDF2_ITERATIONS });
export const verifyPassword = (hash: string, password: string) => passwordHasher.verify(hash, password);
/** The core's `password` method (and registration), the server's. */
export const passwordMethod = passwordSignIn({ hasher: passwordHasher });

// --- persons ------------------------------------------------------------------------------------

/**
 * The person of an email, created if needed; a proof of the email marks them verified and applies the
 * core's first-proof rule (`forgetUnprovenCredentials`).
 */
export async function personOfEmail(store: MockStore, email: string, verified: boolean): Promise<PersonRow> {
  const existing = store.personByEmail(email);
  if (!existing) return store.ensurePerson(email, verified);
  if (verified && !existing.emailVerified) {
    existing.emailVerified = true;
    await store.db.transaction((repos) => forgetUnprovenCredentials(repos, store.db, existing.id));
  }
  return existing;
}

/** The mock has no client addresses: only the account is counted. */
export const personSubject = (store: MockStore, tenantId: string, personId: string): ThrottleSubject => ({
  tenantId,
  identifier: personIdentifier(store.persons.get(personId)!),
  client: {},
});
