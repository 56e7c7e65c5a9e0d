import type { Identity, LinkedProvider } from '@enforcer/contract';
import { AppError } from '../errors.js';
import type { LinkedIdentity } from '../methods/method.js';
import type { ProofRefusal } from '../methods/result.js';
import { assertNotLastMethod } from '../passkeys/rules.js';
import type { IdentityRecord, PersonRecord } from '../persons/ports.js';
import type { Repositories } from '../store.js';

/**
 * A person's sign-in methods: the primary email (once verified), linked identities and passkeys. The rules
 * every method obeys: an identity belongs to one person; a person always keeps at least one way in.
 */

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const identityDto = (row: IdentityRecord): Identity => ({
  id: row.id,
  provider: row.provider,
  subject: row.subject,
  email: row.email,
  verified_at: row.verifiedAt.toISOString(),
  created_at: row.createdAt.toISOString(),
  last_used_at: iso(row.lastUsedAt),
});

/** Every method of the person, oldest first: the email, then linked identities, then passkeys. */
export async function listSignInMethods(repos: Repositories, person: PersonRecord): Promise<Identity[]> {
  const [identities, keys] = await Promise.all([
    repos.identities.ofPerson(person.id),
    repos.passkeys.ofPerson(person.id),
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
  methods.push(...identities.map(identityDto));
  for (const passkey of keys) {
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

export type LinkOutcome = { ok: true; identity: IdentityRecord; created: boolean } | ProofRefusal;

/**
 * Binds a proven identity to the person. Already theirs: only its last use changes (`created: false`).
 * Bound to someone else: refused (`409 identity_already_linked`), never moved. A verified email the
 * provider vouches for becomes the person's email when they have none and nobody else uses it.
 */
export async function linkIdentity(
  repos: Repositories,
  now: Date,
  person: PersonRecord,
  identity: LinkedIdentity,
): Promise<LinkOutcome> {
  await repos.identities.lock(identity.provider, identity.subject);
  const existing = await repos.identities.findBySubject(identity.provider, identity.subject);
  if (existing) {
    if (existing.personId !== person.id) {
      return {
        ok: false,
        code: 'identity_already_linked',
        detail: `This ${identity.provider} identity belongs to another person: it cannot be linked to you`,
        reason: 'linked_to_other_person',
      };
    }
    await repos.identities.touch(existing.id, { lastUsedAt: now });
    return { ok: true, identity: { ...existing, lastUsedAt: now }, created: false };
  }
  const verifiedEmail = identity.email && identity.emailVerified ? identity.email : null;
  const created = await repos.identities.create({
    personId: person.id,
    provider: identity.provider,
    subject: identity.subject,
    email: verifiedEmail,
    verifiedAt: now,
    lastUsedAt: now,
  });
  if (!person.email && verifiedEmail) {
    await repos.persons.lock(verifiedEmail);
    if (!(await repos.persons.findByEmail(verifiedEmail))) {
      await repos.persons.adoptEmail(person.id, verifiedEmail, now);
    }
  }
  return { ok: true, identity: created, created: true };
}

/**
 * Removes one of the person's linked identities or passkeys (another person's id is unknown here), never
 * their last way to sign in (`409 last_identity`). Removals are serialised per person (`passkeys.lockOwner`,
 * the lock `DELETE /auth/passkey/credentials/{id}` takes too), so two concurrent ones cannot both
 * see "one more left". Answers what was removed.
 */
export async function unlinkSignInMethod(
  repos: Repositories,
  personId: string,
  id: string,
): Promise<{ provider: LinkedProvider | 'passkey' }> {
  await repos.passkeys.lockOwner(personId);
  const identity = (await repos.identities.ofPerson(personId)).find((row) => row.id === id);
  const passkey = identity
    ? undefined
    : (await repos.passkeys.ofPerson(personId)).find((row) => row.id === id);
  if (!identity && !passkey) throw new AppError('not_found', 'You have no sign-in method with this id');
  await assertNotLastMethod(repos, personId);
  if (identity) {
    await repos.identities.delete(identity.id);
    return { provider: identity.provider };
  }
  await repos.passkeys.delete(id);
  return { provider: 'passkey' };
}
