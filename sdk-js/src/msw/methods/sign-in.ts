import type { LoginBody } from '@enforcer/contract';
import {
  countsAsGuess,
  loginIdentifier,
  personIdentifier,
  requireSecondFactor,
  type ThrottleSubject,
  webCryptoRandom,
} from '@enforcer/core';
import type { MockContext } from '../context';
import { randomToken, sha256, uuid } from '../crypto';
import { MockError } from '../problem';
import type { MockStore, PersonRow, TenantRow } from '../store';

/**
 * The login flow of the server (server/src/domains/auth/routes/login.ts) in the mock: the throttle
 * around every method, the person and account, the MFA gate before any session opens.
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

// --- passwords (a fast salted SHA-256 in the mock; argon2id on the server) ----------------------

export async function hashPassword(password: string): Promise<string> {
  const salt = randomToken(16);
  return `${salt}$${await sha256(`${salt}\n${password.normalize('NFKC')}`)}`;
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const [salt, digest] = hash.split('$');
  return digest === (await sha256(`${salt}\n${password.normalize('NFKC')}`));
}

// --- persons ------------------------------------------------------------------------------------

/**
 * The person of an email, created if needed; a proof of the email marks them verified, and (the
 * server's pre-hijacking defence) drops a password set before that first proof, with the TOTP,
 * recovery codes and every session.
 */
export function personOfEmail(store: MockStore, email: string, verified: boolean): PersonRow {
  const existing = store.personByEmail(email);
  if (!existing) return store.ensurePerson(email, verified);
  if (verified && !existing.emailVerified) {
    existing.emailVerified = true;
    if (store.passwords.delete(existing.id)) {
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

// --- the throttle --------------------------------------------------------------------------------

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
        : personOfEmail(store, auth.identity.email, auth.identity.emailVerified);
  const lockout = await throttle.lockedOut(tenant.id, personIdentifier(person));
  if (lockout) throw lockout;
  let account = store.accountOf(person.id, tenant.id);
  if (!account) {
    if (!tenant.allowSignup) throw new MockError('signup_disabled', 'This tenant is invite-only');
    account = store.createAccount(person.id, tenant.id, 'member');
  }
  if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
  const amr = [...(AMR[body.provider] ?? [])];
  const mfa = await store.db.transaction((repos) =>
    requireSecondFactor(
      repos,
      { clock: store.db, random: webCryptoRandom },
      {
        accountId: account.id,
        personId: person.id,
        tenantId: tenant.id,
        provider: body.provider,
        amr,
        client: {},
      },
    ),
  );
  if (mfa) throw mfa;
  await throttle.recordSuccess({ tenantId: tenant.id, identifier: personIdentifier(person) });
  return tokens.signIn(account, amr);
}
