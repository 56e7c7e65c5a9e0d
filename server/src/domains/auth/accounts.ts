import type { EmailIdentity } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type IPerson, Person } from '../../entities/accounts.js';
import type { Clock } from '../../lib/clock.js';
import { forgetUnprovenCredentials } from './methods/password/first-proof.js';

/**
 * Serialises every creation of a person or of one of their accounts (concurrent first logins, a join
 * racing a login) on the email, so a unique constraint never turns a race into a 500.
 */
export async function lockIdentity(em: EntityManager, email: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:person:${email}`]);
}

/** The person with this email, created if needed; marked verified when the identity proves the email. */
export async function findOrCreatePerson(
  em: EntityManager,
  clock: Clock,
  identity: EmailIdentity,
): Promise<{ person: IPerson; created: boolean }> {
  const now = clock.now();
  const existing = await em.findOne(Person, { email: identity.email });
  if (existing) {
    if (identity.emailVerified && !existing.emailVerifiedAt) {
      existing.emailVerifiedAt = now;
      await forgetUnprovenCredentials(em, clock, existing);
    }
    return { person: existing, created: false };
  }
  const person = em.create(Person, {
    email: identity.email,
    emailVerifiedAt: identity.emailVerified ? now : null,
    createdAt: now,
  });
  return { person, created: true };
}
