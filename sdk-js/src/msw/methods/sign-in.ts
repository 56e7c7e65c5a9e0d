import type { LoginBody, SecondFactor } from '@enforcer/contract';
import {
  countsAsGuess,
  forgetUnprovenPassword,
  loginIdentifier,
  MOCK_PBKDF2_ITERATIONS,
  passwordSignIn,
  pbkdf2PasswordHasher,
  personIdentifier,
  type ThrottleSubject,
} from '@enforcer/core';
import type { MockContext } from '../context';
import { uuid } from '../crypto';
import { MockError } from '../problem';
import { iso, type MockStore, type PersonRow, type TenantRow } from '../store';
import { checkTotp, mfaToken, normalizeRecoveryCode, recoveryCode } from './totp';

/**
 * The login flow of the server (server/src/domains/auth/routes/login.ts) in the mock: the throttle
 * around every method, the person and account, the MFA gate before any session opens.
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

/** Whether a session with these `amr` values may be carried into a tenant accepting `providers`. */
export const acceptsSession = (providers: readonly string[], amr: readonly string[]): boolean =>
  providers.some((provider) => (AMR[provider] ?? []).some((value) => amr.includes(value)));

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
 * The person of an email, created if needed; a proof of the email marks them verified, and (the
 * server's pre-hijacking defence) drops a password set before that first proof, with the TOTP,
 * recovery codes and every session.
 */
export async function personOfEmail(store: MockStore, email: string, verified: boolean): Promise<PersonRow> {
  const existing = store.personByEmail(email);
  if (!existing) return store.ensurePerson(email, verified);
  if (verified && !existing.emailVerified) {
    existing.emailVerified = true;
    // The password part is the core's rule (`forgetUnprovenPassword`), over the core's password table.
    if (await store.db.transaction((repos) => forgetUnprovenPassword(repos, existing.id))) {
      store.totp.delete(existing.id);
      store.recoveryCodes.delete(existing.id);
      for (const session of store.sessions.values()) {
        if (session.personId === existing.id) store.revokeSession(session, 'email_proven');
      }
    }
  }
  return existing;
}

/** An external identity: found by (provider, subject), never by email; a new one is a new person. */
function personOfIdentity(
  store: MockStore,
  identity: Extract<ProvenIdentity, { provider: string }>,
): PersonRow {
  const now = store.now();
  const linked = [...store.identities.values()].find(
    (i) => i.provider === identity.provider && i.subject === identity.subject,
  );
  if (linked) {
    linked.lastUsedAt = now;
    if (identity.email && identity.emailVerified) linked.email = identity.email;
    return store.persons.get(linked.personId)!;
  }
  const email = identity.email && identity.emailVerified ? identity.email.toLowerCase() : null;
  if (email && store.personByEmail(email)) {
    throw new MockError(
      'email_in_use',
      `Someone already signs in with ${email}: sign in with it, then link this ${identity.provider} account`,
    );
  }
  const person: PersonRow = { id: uuid(), email, emailVerified: email !== null, createdAt: now };
  store.persons.set(person.id, person);
  const id = uuid();
  store.identities.set(id, {
    id,
    personId: person.id,
    provider: identity.provider,
    subject: identity.subject,
    email,
    verifiedAt: now,
    createdAt: now,
    lastUsedAt: now,
  });
  return person;
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

// --- the login flow -------------------------------------------------------------------------------

export async function loginFlow(
  ctx: MockContext,
  tenant: TenantRow,
  body: LoginBody,
  authenticate: () => Promise<Authentication>,
) {
  const { store, tokens } = ctx;
  const { throttle } = store;
  const attempt = { tenantId: tenant.id, identifier: loginIdentifier(body), client: {} };
  const gate = await throttle.gate(attempt);
  if (gate) throw gate;
  const auth = await authenticate();
  if (!auth.ok) {
    throw (
      (countsAsGuess(auth.reason) ? await throttle.recordFailure(attempt, auth.reason) : undefined) ??
      auth.error
    );
  }

  const person =
    'personId' in auth.identity
      ? store.persons.get(auth.identity.personId)!
      : 'provider' in auth.identity
        ? personOfIdentity(store, auth.identity)
        : await personOfEmail(store, auth.identity.email, auth.identity.emailVerified);
  const lockout = await throttle.lockedOut(tenant.id, personIdentifier(person));
  if (lockout) throw lockout;
  let account = store.accountOf(person.id, tenant.id);
  if (!account) {
    if (!tenant.allowSignup) throw new MockError('signup_disabled', 'This tenant is invite-only');
    account = store.createAccount(person.id, tenant.id, 'member');
  }
  if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
  const amr = [...(AMR[body.provider] ?? [])];
  if (!amr.some((value) => MULTI_FACTOR_AMR.includes(value)) && mfaEnabled(store, person.id)) {
    const token = mfaToken();
    const expiresAt = store.now() + MFA_CHALLENGE_TTL_SECONDS * 1000;
    store.mfaChallenges.set(token, {
      accountId: account.id,
      personId: person.id,
      tenantId: tenant.id,
      provider: body.provider,
      amr,
      attempts: 0,
      expiresAt,
      consumedAt: null,
    });
    throw new MockError(
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
  }
  await throttle.recordSuccess({ tenantId: tenant.id, identifier: personIdentifier(person) });
  return tokens.signIn(account, amr);
}
