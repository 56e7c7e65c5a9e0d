// The store contract of passkeys (WebAuthn credentials): every PasskeyStore must pass it through its
// store's unit of work.
import type { PasskeyRecord, UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface PasskeyStoreHarness {
  uow: UnitOfWork;
  /** A person passkeys may belong to (their id). */
  seedPerson(): Promise<string>;
}

const at = (seconds: number) => new Date(Date.UTC(2031, 0, 1, 0, 0, seconds));

const passkey = (personId: string, overrides: Partial<Omit<PasskeyRecord, 'id'>> = {}) => ({
  personId,
  credentialId: crypto.randomUUID().replace(/-/g, ''),
  publicKey: 'pQECAyYgASFYIA',
  counter: 0,
  transports: ['internal', 'hybrid'],
  deviceType: 'multiDevice' as const,
  backedUp: true,
  rpId: 'app.example',
  aaguid: '00000000-0000-0000-0000-000000000000',
  name: null,
  createdAt: at(0),
  lastUsedAt: null,
  ...overrides,
});

export function passkeyStoreContract(name: string, harness: () => PasskeyStoreHarness) {
  describe(`PasskeyStore contract (${name})`, () => {
    it('stores a passkey as given and finds it by id and by credential id', async () => {
      const { uow, seedPerson } = harness();
      const personId = await seedPerson();
      const input = passkey(personId, { name: 'laptop', counter: 7 });
      const created = await uow.transaction((repos) => repos.passkeys.create(input));
      expect(created).toEqual({ id: expect.any(String), ...input });
      expect(await uow.read((repos) => repos.passkeys.find(created!.id))).toEqual(created);
      expect(await uow.read((repos) => repos.passkeys.findByCredentialId(input.credentialId))).toEqual(
        created,
      );
      expect(await uow.read((repos) => repos.passkeys.findByCredentialId('nobody'))).toBeNull();
    });

    it('keeps credential ids unique across persons: a second one stores nothing', async () => {
      const { uow, seedPerson } = harness();
      const [mine, theirs] = [await seedPerson(), await seedPerson()];
      const first = passkey(mine);
      await uow.transaction((repos) => repos.passkeys.create(first));
      const again = await uow.transaction((repos) =>
        repos.passkeys.create(passkey(theirs, { credentialId: first.credentialId })),
      );
      expect(again).toBeNull();
      expect(await uow.read((repos) => repos.passkeys.ofPerson(theirs))).toEqual([]);
    });

    it('registrations of one credential id at once: one stores it, the others get null, none fails', async () => {
      const { uow, seedPerson } = harness();
      const persons = await Promise.all(Array.from({ length: 8 }, () => seedPerson()));
      const credentialId = passkey(persons[0]!).credentialId;
      const results = await Promise.all(
        persons.map((personId) =>
          uow.transaction((repos) => repos.passkeys.create(passkey(personId, { credentialId }))),
        ),
      );
      const stored = results.filter((result) => result !== null);
      expect(stored).toHaveLength(1);
      expect(await uow.read((repos) => repos.passkeys.findByCredentialId(credentialId))).toEqual(stored[0]);
    });

    it("lists a person's passkeys oldest first, for one relying party id when asked", async () => {
      const { uow, seedPerson } = harness();
      const personId = await seedPerson();
      const other = await seedPerson();
      const ids = await uow.transaction(async (repos) => {
        const late = await repos.passkeys.create(passkey(personId, { createdAt: at(20) }));
        const early = await repos.passkeys.create(
          passkey(personId, { createdAt: at(10), rpId: 'other.example' }),
        );
        await repos.passkeys.create(passkey(other, { createdAt: at(5) }));
        return { late: late!.id, early: early!.id };
      });
      const all = await uow.read((repos) => repos.passkeys.ofPerson(personId));
      expect(all.map((row) => row.id)).toEqual([ids.early, ids.late]);
      const forRp = await uow.read((repos) => repos.passkeys.ofPerson(personId, 'app.example'));
      expect(forRp.map((row) => row.id)).toEqual([ids.late]);
    });

    it('records a use and deletes', async () => {
      const { uow, seedPerson } = harness();
      const personId = await seedPerson();
      const created = await uow.transaction((repos) => repos.passkeys.create(passkey(personId)));
      await uow.transaction(async (repos) => {
        await repos.passkeys.lockOwner(personId);
        await repos.passkeys.recordUse(created!.id, { counter: 3, backedUp: false, lastUsedAt: at(30) });
      });
      expect(await uow.read((repos) => repos.passkeys.find(created!.id))).toMatchObject({
        counter: 3,
        backedUp: false,
        lastUsedAt: at(30),
      });
      await uow.transaction((repos) => repos.passkeys.delete(created!.id));
      expect(await uow.read((repos) => repos.passkeys.find(created!.id))).toBeNull();
    });

    it('leaves nothing behind when the unit of work fails', async () => {
      const { uow, seedPerson } = harness();
      const personId = await seedPerson();
      const kept = await uow.transaction((repos) => repos.passkeys.create(passkey(personId)));
      const failure = uow.transaction(async (repos) => {
        await repos.passkeys.create(passkey(personId, { createdAt: at(40) }));
        await repos.passkeys.recordUse(kept!.id, { counter: 9, backedUp: false, lastUsedAt: at(50) });
        await repos.passkeys.delete(kept!.id);
        throw new Error('rolled back');
      });
      await expect(failure).rejects.toThrow('rolled back');
      expect(await uow.read((repos) => repos.passkeys.ofPerson(personId))).toEqual([kept]);
    });
  });
}
