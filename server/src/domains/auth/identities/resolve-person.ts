import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type IPerson, Person } from '../../../entities/accounts.js';
import { PersonIdentity } from '../../../entities/identities.js';
import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import { findOrCreatePerson, lockIdentity } from '../accounts.js';
import type { LinkedIdentity, ProvenIdentity } from '../methods/method.js';
import { lockLinkedIdentity } from './locks.js';

export type Resolution =
  | { ok: true; person: IPerson; created: boolean }
  | { ok: false; error: AppError; reason: string };

/**
 * The person a sign-in proved, created when new; in the caller's transaction.
 * - An email: the person with that email (today's email flow, unchanged).
 * - An external identity: the person it is linked to, found by provider + subject. A new identity makes a
 *   new person, whose email is the provider's verified email when nobody has it yet. When somebody has it,
 *   the sign-in is refused (`409 email_in_use`): an email alone never opens an existing person; they sign
 *   in with a method they have and link this one (`POST /auth/identities/...`).
 * - A known person (a passkey's owner): that person.
 * Every path ends holding the person's lock (`lockIdentity` on the email, or the id when there is none),
 * so account creation in the login flow is serialised as before.
 */
export async function resolvePerson(
  em: EntityManager,
  clock: Clock,
  identity: ProvenIdentity,
): Promise<Resolution> {
  if ('personId' in identity) {
    const person = await em.findOne(Person, identity.personId);
    if (!person) {
      return { ok: false, error: new AppError('invalid_credentials', 'Sign-in failed'), reason: 'no_person' };
    }
    await lockIdentity(em, person.email ?? person.id);
    return { ok: true, person, created: false };
  }
  if (!('provider' in identity)) {
    await lockIdentity(em, identity.email);
    return { ok: true, ...(await findOrCreatePerson(em, clock, identity)) };
  }
  return resolveLinked(em, clock, identity);
}

async function resolveLinked(em: EntityManager, clock: Clock, identity: LinkedIdentity): Promise<Resolution> {
  const now = clock.now();
  await lockLinkedIdentity(em, identity.provider, identity.subject);
  const linked = await em.findOne(
    PersonIdentity,
    { provider: identity.provider, subject: identity.subject },
    { populate: ['person'] },
  );
  if (linked) {
    linked.lastUsedAt = now;
    if (identity.email && identity.emailVerified) linked.email = identity.email;
    const person = linked.person as IPerson;
    await lockIdentity(em, person.email ?? person.id);
    return { ok: true, person, created: false };
  }

  const email = identity.email && identity.emailVerified ? identity.email : null;
  if (email) {
    await lockIdentity(em, email);
    if ((await em.count(Person, { email })) > 0) {
      return {
        ok: false,
        error: new AppError(
          'email_in_use',
          `Someone already signs in with ${email}: sign in with it, then link this ${identity.provider} account`,
        ),
        reason: 'email_in_use',
      };
    }
  }
  const person = em.create(Person, {
    id: randomUUID(),
    email,
    emailVerifiedAt: email ? now : null,
    createdAt: now,
  });
  await lockIdentity(em, email ?? person.id);
  em.create(PersonIdentity, {
    person,
    provider: identity.provider,
    subject: identity.subject,
    email: identity.email && identity.emailVerified ? identity.email : null,
    verifiedAt: now,
    createdAt: now,
    lastUsedAt: now,
  });
  return { ok: true, person, created: true };
}
