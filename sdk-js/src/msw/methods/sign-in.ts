import {
  forgetUnprovenCredentials,
  MOCK_PBKDF2_ITERATIONS,
  passwordSignIn,
  pbkdf2PasswordHasher,
  personIdentifier,
  type ThrottleSubject,
} from '@enforcer/core';
import type { MockError } from '../problem';
import type { MockStore, PersonRow } from '../store';

/**
 * What the mock's sign-in still keeps of its own (the login flow is the core's, server/core/src/auth):
 * the methods' `amr`, passwords, the first-proof rule, the second factor.
 */

/** The `amr` of each sign-in method (the server's strategies). */
export const AMR: Partial<Record<string, string[]>> = {
  email_otp: ['otp'],
  password: ['pwd'],
  magic_link: ['otp'],
  phone_otp: ['sms'],
  google: ['google'],
  siwe: ['swk'],
  privy: ['privy'],
  passkey: ['hwk'],
};

export type ProvenIdentity =
  | { email: string; emailVerified: boolean }
  /** A passkey proves its owner. */
  | { personId: string }
  | {
      provider: 'phone_otp' | 'google' | 'siwe' | 'privy';
      subject: string;
      email?: string;
      emailVerified?: boolean;
    };

export type Authentication =
  | { ok: true; identity: ProvenIdentity }
  | { ok: false; reason: string; error: MockError };

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
