// The store contract of persons: every PersonStore (memory, PostgreSQL) must pass it, through its unit of
// work, so the core's sign-in rules (a first sign-in makes one person, an email is proven once) behave the
// same on both.
import type { UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface PersonStoreHarness {
  uow: UnitOfWork;
}

let emails = 0;
const email = () => `person-${Date.now()}-${++emails}@example.com`;

export function personStoreContract(name: string, harness: () => PersonStoreHarness): void {
  describe(`PersonStore contract: ${name}`, () => {
    it('creates a person and finds it by id and by email', async () => {
      const { uow } = harness();
      const address = email();
      const created = await uow.transaction((repos) =>
        repos.persons.create({ email: address, emailVerifiedAt: null }),
      );
      expect(created).toMatchObject({ email: address, emailVerifiedAt: null });
      expect(created.createdAt).toBeInstanceOf(Date);
      await uow.read(async (repos) => {
        expect(await repos.persons.find(created.id)).toEqual(created);
        expect(await repos.persons.findByEmail(address)).toEqual(created);
        expect(await repos.persons.find(crypto.randomUUID())).toBeNull();
        expect(await repos.persons.findByEmail(email())).toBeNull();
      });
    });

    it('keeps persons without an email apart, and emails unique', async () => {
      const { uow } = harness();
      const [a, b] = await uow.transaction(async (repos) => [
        await repos.persons.create({ email: null, emailVerifiedAt: null }),
        await repos.persons.create({ email: null, emailVerifiedAt: null }),
      ]);
      expect(a.id).not.toBe(b.id);
      const address = email();
      await uow.transaction((repos) => repos.persons.create({ email: address, emailVerifiedAt: null }));
      await expect(
        uow.transaction((repos) => repos.persons.create({ email: address, emailVerifiedAt: null })),
      ).rejects.toThrow();
    });

    it('starts with an empty profile, changes only the fields given, and clears with null', async () => {
      const { uow } = harness();
      const { id, profile } = await uow.transaction((repos) =>
        repos.persons.create({ email: email(), emailVerifiedAt: null }),
      );
      expect(profile).toEqual({ displayName: null, avatarUrl: null, locale: null, timeZone: null });
      await uow.transaction((repos) =>
        repos.persons.updateProfile(id, {
          displayName: 'Ada Lovelace',
          locale: 'en-GB',
          timeZone: 'Europe/London',
        }),
      );
      await uow.transaction((repos) =>
        repos.persons.updateProfile(id, { locale: null, avatarUrl: 'https://cdn.example.com/ada.png' }),
      );
      expect((await uow.read((repos) => repos.persons.find(id)))!.profile).toEqual({
        displayName: 'Ada Lovelace',
        avatarUrl: 'https://cdn.example.com/ada.png',
        locale: null,
        timeZone: 'Europe/London',
      });
      // A change that fails with its unit of work is not kept.
      await expect(
        uow.transaction(async (repos) => {
          await repos.persons.updateProfile(id, { displayName: 'Someone else' });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await uow.read((repos) => repos.persons.find(id)))!.profile.displayName).toBe('Ada Lovelace');
    });

    it('marks an email proven', async () => {
      const { uow } = harness();
      const at = new Date();
      const { id } = await uow.transaction((repos) =>
        repos.persons.create({ email: email(), emailVerifiedAt: null }),
      );
      await uow.transaction((repos) => repos.persons.markEmailVerified(id, at));
      expect((await uow.read((repos) => repos.persons.find(id)))!.emailVerifiedAt).toBeInstanceOf(Date);
      const proven = await uow.transaction((repos) =>
        repos.persons.create({ email: email(), emailVerifiedAt: at }),
      );
      expect(proven.emailVerifiedAt).toBeInstanceOf(Date);
    });

    it('makes one person of concurrent first sign-ins under the lock', async () => {
      const { uow } = harness();
      const address = email();
      const signIn = () =>
        uow.transaction(async (repos) => {
          await repos.persons.lock(address);
          return (
            (await repos.persons.findByEmail(address)) ??
            (await repos.persons.create({ email: address, emailVerifiedAt: null }))
          );
        });
      const persons = await Promise.all([signIn(), signIn(), signIn()]);
      expect(new Set(persons.map((p) => p.id)).size).toBe(1);
    });

    it('leaves no person behind when the unit of work fails', async () => {
      const { uow } = harness();
      const address = email();
      await expect(
        uow.transaction(async (repos) => {
          await repos.persons.create({ email: address, emailVerifiedAt: null });
          throw new Error('halfway');
        }),
      ).rejects.toThrow('halfway');
      expect(await uow.read((repos) => repos.persons.findByEmail(address))).toBeNull();
    });
  });
}
