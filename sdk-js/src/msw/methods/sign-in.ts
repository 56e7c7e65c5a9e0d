import type { SecondFactor } from '@enforcer/contract';
import {
  forgetUnprovenPassword,
  MOCK_PBKDF2_ITERATIONS,
  passwordSignIn,
  pbkdf2PasswordHasher,
  personIdentifier,
  type Repositories,
  type SecondFactorGate,
  type ThrottleSubject,
} from '@enforcer/core';
import { MockError } from '../problem';
import { iso, type MockStore, type PersonRow } from '../store';
import { checkTotp, mfaToken, normalizeRecoveryCode, recoveryCode } from './totp';

/**
 * What the mock's sign-in still keeps of its own (the login flow is the core's, server/core/src/auth):
 * the methods' `amr`, passwords, the first-proof rule, the second factor.
 */

export const MFA_CHALLENGE_TTL_SECONDS = 300;
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;
export const MFA_METHODS = ['totp', 'recovery_code'] as const;
const MULTI_FACTOR_AMR = ['hwk', 'mfa'];

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
 * The server's pre-hijacking defence (`forgetUnprovenCredentials`): the first proof of a person's email
 * drops a password set before it, with the TOTP, recovery codes and every session. Persons without a
 * password are left alone. The core's login flow calls it (`onEmailFirstProven`).
 */
export async function forgetUnprovenCredentials(
  store: MockStore,
  repos: Repositories,
  personId: string,
): Promise<void> {
  // The password part is the core's rule, over the core's password table.
  if (!(await forgetUnprovenPassword(repos, personId))) return;
  store.totp.delete(personId);
  store.recoveryCodes.delete(personId);
  await repos.sessions.revokeOfPerson(personId, 'email_proven', store.db.now());
}

/** The person of an email, created if needed; a proof of the email marks them verified (see above). */
export async function personOfEmail(store: MockStore, email: string, verified: boolean): Promise<PersonRow> {
  const existing = store.personByEmail(email);
  if (!existing) return store.ensurePerson(email, verified);
  if (verified && !existing.emailVerified) {
    existing.emailVerified = true;
    await store.db.transaction((repos) => forgetUnprovenCredentials(store, repos, existing.id));
  }
  return existing;
}

// --- second factor ------------------------------------------------------------------------------

export const invalidMfaCode = () =>
  new MockError('invalid_mfa_code', 'The code is wrong, expired or already used');
export const mfaEnabled = (store: MockStore, personId: string) => store.totp.get(personId)?.enabledAt != null;

export function regenerateRecoveryCodes(store: MockStore, personId: string): string[] {
  const codes = Array.from({ length: 10 }, recoveryCode);
  store.recoveryCodes.set(personId, new Map(codes.map((code) => [normalizeRecoveryCode(code), null])));
  return codes;
}

export const recoveryCodesLeft = (store: MockStore, personId: string) =>
  [...(store.recoveryCodes.get(personId)?.values() ?? [])].filter((usedAt) => usedAt === null).length;

type FactorCheck =
  | { ok: true; method: 'totp' | 'recovery_code' }
  | { ok: false; reason: string; error: MockError };

/** A TOTP code (not one of a step already used) or a recovery code (spent). */
export async function checkFactor(
  store: MockStore,
  personId: string,
  factor: SecondFactor,
): Promise<FactorCheck> {
  if ('recovery_code' in factor) {
    const codes = store.recoveryCodes.get(personId);
    const key = normalizeRecoveryCode(factor.recovery_code);
    if (codes?.has(key) && codes.get(key) === null) {
      codes.set(key, store.now());
      return { ok: true, method: 'recovery_code' };
    }
    return { ok: false, reason: 'wrong_recovery_code', error: invalidMfaCode() };
  }
  const totp = store.totp.get(personId);
  if (!totp || totp.enabledAt === null) {
    return {
      ok: false,
      reason: 'mfa_not_enabled',
      error: new MockError('mfa_not_enabled', 'Two-step verification is not on for this account'),
    };
  }
  const check = await checkTotp(totp.secret, factor.code, new Date(store.now()), totp.lastUsedStep);
  if (!check.ok) return { ok: false, reason: check.reason, error: invalidMfaCode() };
  totp.lastUsedStep = check.step;
  return { ok: true, method: 'totp' };
}

/** A second factor from a signed-in person (step-up, disable, regenerate): throttled like a sign-in. */
export async function provideSecondFactor(
  store: MockStore,
  subject: ThrottleSubject,
  personId: string,
  factor: SecondFactor,
): Promise<'totp' | 'recovery_code'> {
  const gate = await store.throttle.gate(subject);
  if (gate) throw gate;
  const check = await checkFactor(store, personId, factor);
  if (!check.ok) {
    const limited =
      check.reason === 'mfa_not_enabled'
        ? undefined
        : await store.throttle.recordFailure(subject, check.reason);
    throw limited ?? check.error;
  }
  return check.method;
}

/** The mock has no client addresses: only the account is counted. */
export const personSubject = (store: MockStore, tenantId: string, personId: string): ThrottleSubject => ({
  tenantId,
  identifier: personIdentifier(store.persons.get(personId)!),
  client: {},
});

// --- the login flow's second factor ---------------------------------------------------------------

/**
 * The login flow's MFA gate (the core's `SecondFactorGate`), as the server's `requireSecondFactor`: a
 * person with TOTP on, signing in with a method that is not multi-factor by itself, gets `mfa_required`
 * with a single-use `mfa_token` (5 minutes) for `POST /auth/mfa/verify`, and no session.
 */
export const mockSecondFactor = (store: MockStore): SecondFactorGate => ({
  async require(_repos, { account, person, tenant, provider, amr }) {
    if (amr.some((value) => MULTI_FACTOR_AMR.includes(value)) || !mfaEnabled(store, person.id)) return null;
    const token = mfaToken();
    const expiresAt = store.now() + MFA_CHALLENGE_TTL_SECONDS * 1000;
    store.mfaChallenges.set(token, {
      accountId: account.id,
      personId: person.id,
      tenantId: tenant.id,
      provider,
      amr: [...amr],
      attempts: 0,
      expiresAt,
      consumedAt: null,
    });
    return new MockError(
      'mfa_required',
      'This account uses two-step verification: finish signing in with POST /auth/mfa/verify and the mfa_token',
      {
        extensions: {
          mfa_token: token,
          mfa_token_expires_at: iso(expiresAt),
          mfa_methods: [...MFA_METHODS],
        },
      },
    );
  },
});
