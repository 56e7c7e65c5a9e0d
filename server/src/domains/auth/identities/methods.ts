import type { Identity } from '@enforcer/contract';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type IPerson, Person } from '../../../entities/accounts.js';
import { type IPersonIdentity, PersonIdentity } from '../../../entities/identities.js';
import { PasskeyCredential } from '../../../entities/passkeys.js';
import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import { lockIdentity } from '../accounts.js';
import type { LinkedIdentity } from '../methods/method.js';
import { lockLinkedIdentity } from './locks.js';

/**
 * A person's sign-in methods: the primary email (once verified), linked identities and passkeys. The
 * rules every method obeys: an identity belongs to one person; a person always keeps at least one.
 */

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export const toIdentity = (row: IPersonIdentity): Identity => ({
  id: row.id,
  provider: row.provider as Identity['provider'],
  subject: row.subject,
  email: row.email ?? null,
  verified_at: row.verifiedAt.toISOString(),
  created_at: row.createdAt.toISOString(),
  last_used_at: iso(row.lastUsedAt),
});

/** Every method of the person, oldest first: the email, then linked identities, then passkeys. */
export async function listMethods(em: EntityManager, person: IPerson): Promise<Identity[]> {
  const [identities, passkeys] = await Promise.all([
    em.find(PersonIdentity, { person: person.id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    em.find(PasskeyCredential, { person: person.id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
  ]);
  const methods: Identity[] = [];
  if (person.email) {
    methods.push({
      id: null,
      provider: 'email_otp',
      subject: person.email,
      email: person.email,
      verified_at: iso(person.emailVerifiedAt),
      created_at: person.createdAt.toISOString(),
      last_used_at: null,
    });
  }
  methods.push(...identities.map(toIdentity));
  for (const passkey of passkeys) {
    methods.push({
      id: passkey.id,
      provider: 'passkey',
      subject: passkey.credentialId,
      email: null,
      verified_at: passkey.createdAt.toISOString(),
      created_at: passkey.createdAt.toISOString(),
      last_used_at: iso(passkey.lastUsedAt),
    });
  }
  return methods;
}

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
 * two concurrent removals cannot both see "one more left" and leave none.
 */
export async function lockPerson(em: EntityManager, personId: string): Promise<IPerson> {
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

export type LinkOutcome =
  | { ok: true; identity: IPersonIdentity; created: boolean }
  | { ok: false; error: AppError; reason: string };

/**
 * Binds a proven identity to the signed-in person. Already theirs: nothing changes (`created: false`).
 * Bound to someone else: refused (`409 identity_already_linked`), never moved. A verified email the
 * provider vouches for becomes the person's email when they have none and nobody else uses it.
 */
export async function linkIdentity(
  em: EntityManager,
  clock: Clock,
  person: IPerson,
  identity: LinkedIdentity,
): Promise<LinkOutcome> {
  const now = clock.now();
  await lockLinkedIdentity(em, identity.provider, identity.subject);
  const existing = await em.findOne(PersonIdentity, {
    provider: identity.provider,
    subject: identity.subject,
  });
  if (existing) {
    if (existing.person.id !== person.id) {
      return {
        ok: false,
        error: new AppError(
          'identity_already_linked',
          `This ${identity.provider} identity belongs to another person: it cannot be linked to you`,
        ),
        reason: 'linked_to_other_person',
      };
    }
    existing.lastUsedAt = now;
    return { ok: true, identity: existing, created: false };
  }
  const verifiedEmail = identity.email && identity.emailVerified ? identity.email : null;
  const row = em.create(PersonIdentity, {
    person,
    provider: identity.provider,
    subject: identity.subject,
    email: verifiedEmail,
    verifiedAt: now,
    createdAt: now,
    lastUsedAt: now,
  });
  if (!person.email && verifiedEmail) {
    await lockIdentity(em, verifiedEmail);
    if ((await em.count(Person, { email: verifiedEmail })) === 0) {
      person.email = verifiedEmail;
      person.emailVerifiedAt = now;
    }
  }
  await em.flush();
  return { ok: true, identity: row, created: true };
}
