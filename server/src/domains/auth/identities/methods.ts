import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type IPerson, Person } from '../../../entities/accounts.js';
import { PersonIdentity } from '../../../entities/identities.js';
import { PasskeyCredential } from '../../../entities/passkeys.js';
import { AppError } from '../../../lib/errors.js';

/**
 * What the passkey routes still use of the sign-in method rules (the rest is the core's:
 * server/core/src/identities/): a person always keeps at least one way to sign in.
 */

/** How many ways the person can sign in: a verified email, each linked identity, each passkey. */
export async function countMethods(em: EntityManager, person: IPerson): Promise<number> {
  const [identities, passkeys] = await Promise.all([
    em.count(PersonIdentity, { person: person.id }),
    em.count(PasskeyCredential, { person: person.id }),
  ]);
  return (person.email && person.emailVerifiedAt ? 1 : 0) + identities + passkeys;
}

/**
 * The person, locked for the rest of the transaction: removals of methods are serialised per person, so
 * two concurrent removals cannot both see "one more left" and leave none. The advisory lock is the one
 * the core's unlink takes (`persons.lock(personId)`), so a passkey deletion and an unlink serialise too.
 */
export async function lockPerson(em: EntityManager, personId: string): Promise<IPerson> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:person:${personId}`]);
  return em.findOneOrFail(Person, personId, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

/** Refuses (`409 last_identity`) when removing one method would leave the person none. */
export async function assertNotLastMethod(em: EntityManager, person: IPerson): Promise<void> {
  if ((await countMethods(em, person)) <= 1) {
    throw new AppError(
      'last_identity',
      'This is your only way to sign in: add another method before removing this one',
    );
  }
}
