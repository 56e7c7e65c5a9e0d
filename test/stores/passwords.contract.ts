// The store contract of passwords: every PasswordStore must pass it through its store's unit of work.
import { MOCK_PBKDF2_ITERATIONS, pbkdf2PasswordHasher, type UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface PasswordStoreHarness {
  uow: UnitOfWork;
  /** A person (their id) a password may belong to. */
  seedPerson(): Promise<string>;
}

export function passwordStoreContract(name: string, harness: () => PasswordStoreHarness) {
  describe(`PasswordStore contract (${name})`, () => {
    const at = (minute: number) => new Date(Date.UTC(2031, 0, 1, 0, minute));

    it('one password per person: set creates, set again replaces, rehash keeps changedAt, delete drops', async () => {
      const { uow, seedPerson } = harness();
      const personId = await seedPerson();
      const other = await seedPerson();
      expect(await uow.read((repos) => repos.passwords.find(personId))).toBeNull();
      await uow.transaction((repos) => repos.passwords.set(personId, 'first', at(1)));
      await uow.transaction((repos) => repos.passwords.set(personId, 'second', at(2)));
      expect(await uow.read((repos) => repos.passwords.find(personId))).toEqual({
        personId,
        hash: 'second',
        createdAt: at(1),
        changedAt: at(2),
      });
      await uow.transaction((repos) => repos.passwords.rehash(personId, 'stronger'));
      expect(await uow.read((repos) => repos.passwords.find(personId))).toMatchObject({
        hash: 'stronger',
        changedAt: at(2),
      });
      expect(await uow.read((repos) => repos.passwords.find(other))).toBeNull();
      expect(await uow.transaction((repos) => repos.passwords.delete(other))).toBe(false);
      expect(await uow.transaction((repos) => repos.passwords.delete(personId))).toBe(true);
      expect(await uow.read((repos) => repos.passwords.find(personId))).toBeNull();
    });

    it('a failed unit of work leaves the password as it was', async () => {
      const { uow, seedPerson } = harness();
      const personId = await seedPerson();
      await uow.transaction((repos) => repos.passwords.set(personId, 'kept', at(1)));
      await expect(
        uow.transaction(async (repos) => {
          await repos.passwords.set(personId, 'lost', at(2));
          await repos.passwords.delete(personId);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await uow.read((repos) => repos.passwords.find(personId))).toMatchObject({
        hash: 'kept',
        changedAt: at(1),
      });
    });

    it('keeps what the hasher made, which verifies the password it was made from (NFKC)', async () => {
      const { uow, seedPerson } = harness();
      const personId = await seedPerson();
      const hasher = pbkdf2PasswordHasher({ iterations: MOCK_PBKDF2_ITERATIONS });
      const hash = await hasher.hash('ﬁve unrelated words');
      await uow.transaction((repos) => repos.passwords.set(personId, hash, at(1)));
      const stored = await uow.read((repos) => repos.passwords.find(personId));
      expect(await hasher.verify(stored!.hash, 'five unrelated words')).toBe(true);
      expect(await hasher.verify(stored!.hash, 'five unrelated word')).toBe(false);
      expect(hasher.needsRehash(stored!.hash)).toBe(false);
      expect(pbkdf2PasswordHasher({ iterations: MOCK_PBKDF2_ITERATIONS + 1 }).needsRehash(stored!.hash)).toBe(
        true,
      );
    });
  });
}
