import {
  MOCK_PBKDF2_ITERATIONS,
  passwordSignIn,
  pbkdf2PasswordHasher,
  personIdentifier,
  type ThrottleSubject,
} from '@enforcer/core';
import type { MockError } from '../problem';
import type { MockStore } from '../store';

/**
 * What the mock's sign-in still keeps of its own (the login flow is the core's, server/core/src/auth):
 * the methods' `amr`, the password hasher, the throttle subject.
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

/** The mock has no client addresses: only the account is counted. */
export const personSubject = (store: MockStore, tenantId: string, personId: string): ThrottleSubject => ({
  tenantId,
  identifier: personIdentifier(store.persons.get(personId)!),
  client: {},
});
