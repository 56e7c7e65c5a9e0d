// The store contract of linked identities: every IdentityStore must pass it through its store's unit of
// work, so the core's linking rules (server/core/src/identities/) behave the same on both stores.
import type { IdentityRecord, UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface IdentityStoreHarness {
  uow: UnitOfWork;
  /** A new person (their id). */
  seedPerson(): Promise<string>;
}

const subject = (prefix: string) => `${prefix}${crypto.randomUUID()}`;
const at = (iso: string) => new Date(iso);

const newIdentity = (personId: string, overrides: Partial<IdentityRecord> = {}) => ({
  personId,
  provider: 'phone_otp' as const,
  subject: subject('+1415'),
  email: null,
  verifiedAt: at('2031-01-01T00:00:00Z'),
  lastUsedAt: null,
  ...overrides,
});

export function identityStoreContract(name: string, harness: () => IdentityStoreHarness): void {
  describe(`IdentityStore contract: ${name}`, () => {
    it('finds an identity by provider and subject; (provider, subject) is unique across persons', async () => {
      const { uow, seedPerson } = harness();
      const [alice, bob] = [await seedPerson(), await seedPerson()];
      const wallet = subject('0x');
      const created = await uow.transaction(async (repos) => {
        await repos.identities.lock('siwe', wallet);
        return repos.identities.create(newIdentity(alice, { provider: 'siwe', subject: wallet }));
      });
      expect(created).toMatchObject({ personId: alice, provider: 'siwe', subject: wallet, email: null });
      await uow.read(async (repos) => {
        expect(await repos.identities.findBySubject('siwe', wallet)).toEqual(created);
        expect(await repos.identities.findBySubject('privy', wallet)).toBeNull();
      });
      await expect(
        uow.transaction((repos) =>
          repos.identities.create(newIdentity(bob, { provider: 'siwe', subject: wallet })),
        ),
      ).rejects.toThrow();
      // The same subject at another provider is another identity.
      const privy = await uow.transaction((repos) =>
        repos.identities.create(newIdentity(bob, { provider: 'privy', subject: wallet })),
      );
      expect(privy.personId).toBe(bob);
      expect((await uow.read((repos) => repos.identities.findBySubject('siwe', wallet)))?.personId).toBe(
        alice,
      );
    });

    it("lists a person's identities oldest first (ties by id), nobody else's", async () => {
      const { uow, seedPerson } = harness();
      const [alice, bob] = [await seedPerson(), await seedPerson()];
      const made: IdentityRecord[] = [];
      for (const provider of ['phone_otp', 'google', 'siwe'] as const) {
        made.push(
          await uow.transaction((repos) => repos.identities.create(newIdentity(alice, { provider }))),
        );
      }
      await uow.transaction((repos) => repos.identities.create(newIdentity(bob)));
      const order = [...made].sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
      );
      const listed = await uow.read((repos) => repos.identities.ofPerson(alice));
      expect(listed.map((row) => row.id)).toEqual(order.map((row) => row.id));
      expect(await uow.read((repos) => repos.identities.ofPerson(crypto.randomUUID()))).toEqual([]);
    });

    it('touches an identity: its last use, and the email only when one is given', async () => {
      const { uow, seedPerson } = harness();
      const person = await seedPerson();
      const google = await uow.transaction((repos) =>
        repos.identities.create(newIdentity(person, { provider: 'google', email: 'a@example.com' })),
      );
      const first = at('2031-02-01T00:00:00Z');
      await uow.transaction((repos) => repos.identities.touch(google.id, { lastUsedAt: first }));
      let found = await uow.read((repos) => repos.identities.findBySubject('google', google.subject));
      expect(found).toMatchObject({ lastUsedAt: first, email: 'a@example.com' });
      const second = at('2031-03-01T00:00:00Z');
      await uow.transaction((repos) =>
        repos.identities.touch(google.id, { lastUsedAt: second, email: 'b@example.com' }),
      );
      found = await uow.read((repos) => repos.identities.findBySubject('google', google.subject));
      expect(found).toMatchObject({ lastUsedAt: second, email: 'b@example.com' });
    });

    it('deletes one identity and leaves the others', async () => {
      const { uow, seedPerson } = harness();
      const person = await seedPerson();
      const [gone, kept] = [
        await uow.transaction((repos) => repos.identities.create(newIdentity(person))),
        await uow.transaction((repos) => repos.identities.create(newIdentity(person))),
      ];
      await uow.transaction((repos) => repos.identities.delete(gone.id));
      await uow.read(async (repos) => {
        expect(await repos.identities.findBySubject('phone_otp', gone.subject)).toBeNull();
        expect((await repos.identities.ofPerson(person)).map((row) => row.id)).toEqual([kept.id]);
      });
      // The subject is free again.
      const again = await uow.transaction((repos) =>
        repos.identities.create(newIdentity(person, { subject: gone.subject })),
      );
      expect(again.subject).toBe(gone.subject);
    });

    it('leaves no identity behind, and no touch, when the unit of work fails', async () => {
      const { uow, seedPerson } = harness();
      const person = await seedPerson();
      const kept = await uow.transaction((repos) => repos.identities.create(newIdentity(person)));
      const phone = subject('+1415');
      await expect(
        uow.transaction(async (repos) => {
          await repos.identities.create(newIdentity(person, { subject: phone }));
          await repos.identities.touch(kept.id, { lastUsedAt: at('2031-04-01T00:00:00Z') });
          throw new Error('the rest of the work failed');
        }),
      ).rejects.toThrow('the rest of the work failed');
      await uow.read(async (repos) => {
        expect(await repos.identities.findBySubject('phone_otp', phone)).toBeNull();
        expect((await repos.identities.findBySubject('phone_otp', kept.subject))?.lastUsedAt).toBeNull();
      });
    });
  });
}
