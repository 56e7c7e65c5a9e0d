import { describe, expect, it } from 'vitest';
import type { PasskeyRecord } from '../passkeys/ports.js';
import { MemoryDatabase } from '../stores/memory/database.js';
import { linkIdentity, listSignInMethods, unlinkSignInMethod } from './linking.js';

// The linking rules over the memory database (persons, identities and passkeys are its tables).
const now = new Date(Date.UTC(2031, 0, 1));

function world() {
  const db = new MemoryDatabase({ now: () => now });
  const person = (email: string | null) =>
    db.transaction((repos) => repos.persons.create({ email, emailVerifiedAt: email ? now : null }));
  const personNow = (id: string) => db.read((repos) => repos.persons.find(id));
  const addPasskey = (personId: string): PasskeyRecord => {
    const key: PasskeyRecord = {
      id: crypto.randomUUID(),
      personId,
      credentialId: 'cred',
      publicKey: 'key',
      counter: 0,
      transports: [],
      deviceType: 'multiDevice',
      backedUp: true,
      rpId: 'app.example',
      aaguid: null,
      name: null,
      createdAt: now,
      lastUsedAt: null,
    };
    db.tables.passkeys.set(key.id, key);
    return key;
  };
  return { db, person, personNow, addPasskey };
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
    const { db, personNow, person } = world();
    await person('taken@example.com');
    const [walletOnly, other] = [await person(null), await person(null)];
    const google = (subject: string, email: string, emailVerified = true) => ({
      provider: 'google' as const,
      subject,
      email,
      emailVerified,
    });
    await db.transaction((repos) => linkIdentity(repos, now, walletOnly, google('g1', 'new@example.com')));
    expect(await personNow(walletOnly.id)).toMatchObject({ email: 'new@example.com', emailVerifiedAt: now });
    await db.transaction((repos) => linkIdentity(repos, now, other, google('g2', 'taken@example.com')));
    await db.transaction((repos) => linkIdentity(repos, now, other, google('g3', 'x@example.com', false)));
    expect((await personNow(other.id))?.email).toBeNull();
  });
});

describe('unlinking and listing sign-in methods', () => {
  it('never removes the last way to sign in; passkeys and a verified email count', async () => {
    const { db, addPasskey, person } = world();
    const walletOnly = await person(null);
    const linked = await db.transaction((repos) =>
      linkIdentity(repos, now, walletOnly, { provider: 'siwe', subject: '0x1' }),
    );
    if (!linked.ok) throw new Error('not linked');
    const unlink = (id: string) => db.transaction((repos) => unlinkSignInMethod(repos, walletOnly.id, id));
    await expect(unlink(linked.identity.id)).rejects.toMatchObject({ code: 'last_identity' });
    await expect(unlink(crypto.randomUUID())).rejects.toMatchObject({ code: 'not_found' });

    const key = addPasskey(walletOnly.id);
    const listed = await db.read(async (repos) => listSignInMethods(repos, walletOnly));
    expect(listed.map((m) => m.provider)).toEqual(['siwe', 'passkey']);
    expect(await unlink(linked.identity.id)).toEqual({ provider: 'siwe' });
    await expect(unlink(key.id)).rejects.toMatchObject({ code: 'last_identity' });
  });

  it('lists the verified email first, then identities, then passkeys', async () => {
    const { db, person } = world();
    const alice = await person('alice@example.com');
    await db.transaction((repos) =>
      linkIdentity(repos, now, alice, { provider: 'phone_otp', subject: '+14155550100' }),
    );
    const listed = await db.read((repos) => listSignInMethods(repos, alice));
    expect(listed).toMatchObject([
      { id: null, provider: 'email_otp', subject: 'alice@example.com', verified_at: now.toISOString() },
      { provider: 'phone_otp', subject: '+14155550100' },
    ]);
  });
});
