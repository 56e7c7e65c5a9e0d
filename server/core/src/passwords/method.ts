import type { RegistrationMethod, SignInMethod } from '../methods/method.js';
import { refuseProof } from '../methods/result.js';
import type { Clock } from '../platform.js';
import type { Repositories } from '../store.js';
import { verifyAgainstDummy } from './hashing.js';
import { assertStrongPassword } from './policy.js';
import type { PasswordHasher } from './ports.js';

const WRONG = 'The email or the password is wrong';

/**
 * `password`: email + password. Proves knowledge of the password, not control of the email, so the
 * person's email stays unverified until a code or link proves it. An unknown email, a person without a
 * password and a wrong password take the same time (a dummy hash is verified) and get the same answer;
 * only the refusal's `reason` (audit, throttle) tells them apart. Hashes made with weaker parameters are
 * upgraded at the next successful sign-in.
 *
 * Registration sets the password of a NEW person only: for a registered email it changes nothing (same
 * answer, same work); the owner sets a password with the reset flow, which proves the email.
 */
export function passwordSignIn(deps: {
  hasher: PasswordHasher;
}): SignInMethod<'password'> & RegistrationMethod<'password'> {
  const { hasher } = deps;
  return {
    id: 'password',
    amr: ['pwd'],
    async authenticate({ repos }, body) {
      const person = await repos.persons.findByEmail(body.email);
      const password = person ? await repos.passwords.find(person.id) : null;
      if (!person || !password) {
        await verifyAgainstDummy(hasher, body.password);
        return refuseProof('invalid_credentials', person ? 'no_password' : 'unknown_account', WRONG);
      }
      if (!(await hasher.verify(password.hash, body.password))) {
        return refuseProof('invalid_credentials', 'wrong_password', WRONG);
      }
      if (hasher.needsRehash(password.hash)) {
        await repos.passwords.rehash(person.id, await hasher.hash(body.password));
      }
      return { ok: true, identity: { email: body.email, emailVerified: false } };
    },
    async register({ repos, client }, body) {
      assertStrongPassword(body.password, 'body.password', { email: body.email });
      await repos.persons.lock(body.email);
      // Hashed whether or not the email is known: the same work either way.
      const hash = await hasher.hash(body.password);
      const existing = await repos.persons.findByEmail(body.email);
      if (!existing) {
        const person = await repos.persons.create({ email: body.email, emailVerifiedAt: null });
        await repos.passwords.set(person.id, hash, person.createdAt);
        repos.audit.record({
          action: 'auth.password.set',
          actor: { type: 'person', id: person.id },
          target: { type: 'person', id: person.id },
          ...client,
          details: { via: 'register' },
        });
      }
      return { email: body.email, emailVerified: false };
    },
  };
}

/**
 * The password part of "the first proof of an email drops what was set up before it" (pre-hijacking:
 * anyone can register someone else's address with a password). Drops the person's password; true when
 * there was one, and then the caller drops the rest (second factor, sessions) and audits.
 */
export const forgetUnprovenPassword = (
  repos: { passwords: { delete(personId: string): Promise<boolean> } },
  personId: string,
): Promise<boolean> => repos.passwords.delete(personId);

/**
 * The first-proof rule (`LoginDeps.onEmailFirstProven`), the same on every side: when a person's email is
 * proven for the first time, a password set before that proof goes, and with it the second factor and
 * every session (they were set up by whoever registered the address, perhaps not its owner). Persons
 * without a password are left alone. Audited as `auth.person.unproven_credentials_removed`. Resolves to
 * the number of sessions it ended (a reset counts them among its own).
 */
export async function forgetUnprovenCredentials(
  repos: Repositories,
  clock: Clock,
  personId: string,
): Promise<number> {
  if (!(await forgetUnprovenPassword(repos, personId))) return 0;
  const totp = await repos.mfa.deleteFactors(personId);
  const ended = await repos.sessions.revokeOfPerson(personId, 'email_proven', clock.now());
  repos.audit.record({
    action: 'auth.person.unproven_credentials_removed',
    actor: { type: 'person', id: personId },
    target: { type: 'person', id: personId },
    details: { totp, sessions_revoked: ended },
  });
  return ended;
}
