import type { EmailIdentity, LinkedIdentity, ProvenIdentity } from '../methods/method.js';
import { type ProofRefusal, refuseProof } from '../methods/result.js';
import type { PersonRecord } from '../persons/ports.js';
import type { Clock } from '../platform.js';
import type { Repositories } from '../store.js';

/**
 * Told when a person's email is proven for the first time, in the same unit of work (the pre-hijacking
 * defence: what was set up before the proof by whoever knew a password is dropped). Each side passes its
 * current code until the rule is the core's (it touches passwords, TOTP and sessions).
 */
export type EmailFirstProven = (repos: Repositories, personId: string) => Promise<unknown>;

export type Resolution = { ok: true; person: PersonRecord; created: boolean } | ProofRefusal;

/** The person with this email, created if needed; marked verified when the identity proves the email. */
export async function findOrCreatePerson(
  repos: Repositories,
  clock: Clock,
  identity: EmailIdentity,
  onEmailFirstProven: EmailFirstProven,
): Promise<{ person: PersonRecord; created: boolean }> {
  const now = clock.now();
  const existing = await repos.persons.findByEmail(identity.email);
  if (existing) {
    if (identity.emailVerified && !existing.emailVerifiedAt) {
      await repos.persons.markEmailVerified(existing.id, now);
      await onEmailFirstProven(repos, existing.id);
      return { person: { ...existing, emailVerifiedAt: now }, created: false };
    }
    return { person: existing, created: false };
  }
  const person = await repos.persons.create({
    email: identity.email,
    emailVerifiedAt: identity.emailVerified ? now : null,
  });
  return { person, created: true };
}

/**
 * The person a sign-in proved, created when new; in the login's unit of work.
 * - An email: the person with that email.
 * - An external identity: the person it is linked to, found by provider + subject. A new identity makes a
 *   new person, whose email is the provider's verified email when nobody has it yet. When somebody has it,
 *   the sign-in is refused (`409 email_in_use`): an email alone never opens an existing person; they sign
 *   in with a method they have and link this one.
 * - A known person (a passkey's owner): that person.
 * Every path ends holding the person's lock (on the email, or the id when there is none), so account
 * creation in the login flow is serialised.
 */
export async function resolvePerson(
  repos: Repositories,
  clock: Clock,
  identity: ProvenIdentity,
  onEmailFirstProven: EmailFirstProven,
): Promise<Resolution> {
  if ('personId' in identity) {
    const person = await repos.persons.find(identity.personId);
    if (!person) return refuseProof('invalid_credentials', 'no_person', 'Sign-in failed');
    await repos.persons.lock(person.email ?? person.id);
    return { ok: true, person, created: false };
  }
  if (!('provider' in identity)) {
    await repos.persons.lock(identity.email);
    return { ok: true, ...(await findOrCreatePerson(repos, clock, identity, onEmailFirstProven)) };
  }
  return resolveLinked(repos, clock, identity);
}

async function resolveLinked(
  repos: Repositories,
  clock: Clock,
  identity: LinkedIdentity,
): Promise<Resolution> {
  const now = clock.now();
  const vouched = identity.email && identity.emailVerified ? identity.email : null;
  await repos.identities.lock(identity.provider, identity.subject);
  const linked = await repos.identities.findBySubject(identity.provider, identity.subject);
  if (linked) {
    await repos.identities.touch(linked.id, { lastUsedAt: now, ...(vouched && { email: vouched }) });
    const person = await repos.persons.find(linked.personId);
    if (!person) return refuseProof('invalid_credentials', 'no_person', 'Sign-in failed');
    await repos.persons.lock(person.email ?? person.id);
    return { ok: true, person, created: false };
  }

  if (vouched) {
    await repos.persons.lock(vouched);
    if (await repos.persons.findByEmail(vouched)) {
      return refuseProof(
        'email_in_use',
        'email_in_use',
        `Someone already signs in with ${vouched}: sign in with it, then link this ${identity.provider} account`,
      );
    }
  }
  let person = await repos.persons.create({ email: vouched, emailVerifiedAt: vouched ? now : null });
  if (!vouched) await repos.persons.lock(person.id);
  if (identity.displayName) {
    await repos.persons.updateProfile(person.id, { displayName: identity.displayName });
    person = { ...person, profile: { ...person.profile, displayName: identity.displayName } };
  }
  await repos.identities.create({
    personId: person.id,
    provider: identity.provider,
    subject: identity.subject,
    email: vouched,
    verifiedAt: now,
    lastUsedAt: now,
  });
  return { ok: true, person, created: true };
}
