import { describe, expect, it } from 'vitest';
import type { IdentityRecord, IdentityStore, PersonRecord, PersonStore } from '../persons/ports.js';
import { MemoryDatabase } from '../stores/memory/database.js';
import { linkIdentity, listSignInMethods, unlinkSignInMethod } from './linking.js';
import type { PasskeyMethod, PersonPasskeys } from './ports.js';

// The linking rules over plain maps: persons and identities are kept outside the memory database here.
const unused = new Proxy({} as never, {
  get: () => () => Promise.reject(new Error('not used in this test')),
});
const now = new Date(Date.UTC(2031, 0, 1));

function world() {
  const persons = new Map<string, PersonRecord>();
  const identities = new Map<string, IdentityRecord>();
  const keys = new Map<string, PasskeyMethod & { personId: string }>();
  const personStore: PersonStore = {
    find: async (id) => persons.get(id) ?? null,
    findByEmail: async (email) => [...persons.values()].find((p) => p.email === email) ?? null,
    lock: async () => {},
    create: async (input) => {
      const person = { id: crypto.randomUUID(), ...input, createdAt: now };
      persons.set(person.id, person);
      return person;
    },
    markEmailVerified: async (id, at) => {
      persons.get(id)!.emailVerifiedAt = at;
    },
    adoptEmail: async (id, email, at) => {
      Object.assign(persons.get(id)!, { email, emailVerifiedAt: at });
    },
  };
  const identityStore: IdentityStore = {
    lock: async () => {},
    findBySubject: async (provider, subject) =>
      [...identities.values()].find((i) => i.provider === provider && i.subject === subject) ?? null,
    ofPerson: async (personId) => [...identities.values()].filter((i) => i.personId === personId),
    create: async (input) => {
      const row = { id: crypto.randomUUID(), createdAt: now, ...input };
      identities.set(row.id, row);
      return row;
    },
    touch: async (id, changes) => {
      identities.get(id)!.lastUsedAt = changes.lastUsedAt;
    },
    delete: async (id) => {
      identities.delete(id);
    },
  };
  const passkeys: PersonPasskeys = {
    ofPerson: async (_repos, personId) => [...keys.values()].filter((k) => k.personId === personId),
    delete: async (_repos, id) => {
      keys.delete(id);
    },
  };
  const db = new MemoryDatabase({
    kept: () => ({
      policies: unused,
      grants: unused,
      members: unused,
      accounts: unused,
      accountSessions: unused,
      persons: personStore,
      identities: identityStore,
    }),
  });
  const person = async (email: string | null) =>
    personStore.create({ email, emailVerifiedAt: email ? now : null });
  return { db, persons, identities, keys, passkeys, person };
}

describe('linking identities', () => {
  it('binds a new identity, leaves one already theirs, refuses one of another person', async () => {
    const { db, person } = world();
    const [alice, bob] = [await person('alice@example.com'), await person('bob@example.com')];
    const wallet = { provider: 'siwe' as const, subject: '0xAbC' };
    const first = await db.transaction((repos) => linkIdentity(repos, now, alice, wallet));
    expect(first).toMatchObject({ ok: true, created: true, identity: { personId: alice.id } });
    const again = await db.transaction((repos) => linkIdentity(repos, now, alice, wallet));
    expect(again).toMatchObject({ ok: true, created: false });
    const stolen = await db.transaction((repos) => linkIdentity(repos, now, bob, wallet));
    expect(stolen).toMatchObject({
      ok: false,
      code: 'identity_already_linked',
      reason: 'linked_to_other_person',
    });
  });

  it("adopts a provider's verified email for a person without one, unless somebody has it", async () => {
    const { db, persons, person } = world();
    await person('taken@example.com');
    const [walletOnly, other] = [await person(null), await person(null)];
    const google = (subject: string, email: string, emailVerified = true) => ({
      provider: 'google' as const,
      subject,
      email,
      emailVerified,
    });
    await db.transaction((repos) => linkIdentity(repos, now, walletOnly, google('g1', 'new@example.com')));
    expect(persons.get(walletOnly.id)).toMatchObject({ email: 'new@example.com', emailVerifiedAt: now });
    await db.transaction((repos) => linkIdentity(repos, now, other, google('g2', 'taken@example.com')));
    await db.transaction((repos) => linkIdentity(repos, now, other, google('g3', 'x@example.com', false)));
    expect(persons.get(other.id)?.email).toBeNull();
  });
});

describe('unlinking and listing sign-in methods', () => {
  it('never removes the last way to sign in; passkeys and a verified email count', async () => {
    const { db, keys, passkeys, person } = world();
    const walletOnly = await person(null);
    const linked = await db.transaction((repos) =>
      linkIdentity(repos, now, walletOnly, { provider: 'siwe', subject: '0x1' }),
    );
    if (!linked.ok) throw new Error('not linked');
    const unlink = (id: string) =>
      db.transaction((repos) => unlinkSignInMethod(repos, passkeys, walletOnly.id, id));
    await expect(unlink(linked.identity.id)).rejects.toMatchObject({ code: 'last_identity' });
    await expect(unlink(crypto.randomUUID())).rejects.toMatchObject({ code: 'not_found' });

    const key = {
      id: crypto.randomUUID(),
      personId: walletOnly.id,
      credentialId: 'cred',
      createdAt: now,
      lastUsedAt: null,
    };
    keys.set(key.id, key);
    const listed = await db.read(async (repos) => listSignInMethods(repos, passkeys, walletOnly));
    expect(listed.map((m) => m.provider)).toEqual(['siwe', 'passkey']);
    expect(await unlink(linked.identity.id)).toEqual({ provider: 'siwe' });
    await expect(unlink(key.id)).rejects.toMatchObject({ code: 'last_identity' });
  });

  it('lists the verified email first, then identities, then passkeys', async () => {
    const { db, passkeys, person } = world();
    const alice = await person('alice@example.com');
    await db.transaction((repos) =>
      linkIdentity(repos, now, alice, { provider: 'phone_otp', subject: '+14155550100' }),
    );
    const listed = await db.read((repos) => listSignInMethods(repos, passkeys, alice));
    expect(listed).toMatchObject([
      { id: null, provider: 'email_otp', subject: 'alice@example.com', verified_at: now.toISOString() },
      { provider: 'phone_otp', subject: '+14155550100' },
    ]);
  });
});
