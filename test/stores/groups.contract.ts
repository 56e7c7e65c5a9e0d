// The store contract of groups and memberships: every GroupStore (memory, PostgreSQL) must pass it, through
// its unit of work, so the core's group rules (server/core/src/groups/handlers.ts) behave the same on both.
import type { Plan } from '@enforcer/contract/policy';
import type { GroupRecord, UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface GroupStoreHarness {
  uow: UnitOfWork;
  /** A new tenant (its id). */
  seedTenant(): Promise<string>;
  /** A new account of the tenant (its id). */
  seedAccount(tenantId: string): Promise<string>;
}

const always = (tenantId: string): Plan => ({
  resource_type: 'group',
  tenant: { attribute: 'tenant_id', value: tenantId },
  decision: 'always',
});

const newGroup = (tenantId: string, name: string, permissions: string[] = []) => ({
  tenantId,
  name,
  description: null,
  permissions,
  builtIn: false,
});

const pageOrder = (a: GroupRecord, b: GroupRecord) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1);

export function groupStoreContract(name: string, harness: () => GroupStoreHarness): void {
  describe(`GroupStore contract: ${name}`, () => {
    it('stores a group and finds it by id and by name, in its tenant only', async () => {
      const { uow, seedTenant } = harness();
      const [tenant, other] = [await seedTenant(), await seedTenant()];
      const group = await uow.transaction((repos) =>
        repos.groups.insert(newGroup(tenant, 'reviewers', ['reports.read'])),
      );
      expect(group).toMatchObject({ tenantId: tenant, name: 'reviewers', permissions: ['reports.read'] });
      expect(group.createdAt).toBeInstanceOf(Date);
      await uow.read(async (repos) => {
        expect(await repos.groups.find(tenant, group.id)).toEqual(group);
        expect(await repos.groups.findByName(tenant, 'reviewers')).toEqual(group);
        expect(await repos.groups.find(other, group.id)).toBeNull();
        expect(await repos.groups.findByName(other, 'reviewers')).toBeNull();
      });
    });

    it('keeps names unique per tenant', async () => {
      const { uow, seedTenant } = harness();
      const [tenant, other] = [await seedTenant(), await seedTenant()];
      await uow.transaction((repos) => repos.groups.insert(newGroup(tenant, 'ops')));
      await expect(
        uow.transaction((repos) => repos.groups.insert(newGroup(tenant, 'ops'))),
      ).rejects.toThrow();
      await uow.transaction((repos) => repos.groups.insert(newGroup(other, 'ops')));
      const names = await uow.read((repos) =>
        repos.groups.list(tenant, { visible: always(tenant), after: undefined, limit: 10 }),
      );
      expect(names.map((g) => g.name)).toEqual(['ops']);
    });

    it('lists in page order, after a position, at most `limit`, as the plan lets through', async () => {
      const { uow, seedTenant } = harness();
      const [tenant, other] = [await seedTenant(), await seedTenant()];
      const made: GroupRecord[] = [];
      for (const n of ['c', 'a', 'd', 'b']) {
        made.push(await uow.transaction((repos) => repos.groups.insert(newGroup(tenant, n))));
      }
      await uow.transaction((repos) => repos.groups.insert(newGroup(other, 'x')));
      const ordered = [...made].sort(pageOrder);
      await uow.read(async (repos) => {
        const all = await repos.groups.list(tenant, { visible: always(tenant), after: undefined, limit: 10 });
        expect(all.map((g) => g.id)).toEqual(ordered.map((g) => g.id));
        const page = await repos.groups.list(tenant, {
          visible: always(tenant),
          after: ordered[1],
          limit: 2,
        });
        expect(page.map((g) => g.id)).toEqual(ordered.slice(2, 4).map((g) => g.id));
        const never = await repos.groups.list(tenant, {
          visible: { ...always(tenant), decision: 'never' },
          after: undefined,
          limit: 10,
        });
        expect(never).toEqual([]);
        const some = await repos.groups.list(tenant, {
          visible: {
            ...always(tenant),
            decision: 'conditional',
            condition: { op: 'in', attr: 'name', type: 'string', values: ['a', 'b'] },
          },
          after: undefined,
          limit: 10,
        });
        expect(some.map((g) => g.name).sort()).toEqual(['a', 'b']);
        // The plan's tenant condition holds even when the store is asked about another tenant.
        expect(
          await repos.groups.list(other, { visible: always(tenant), after: undefined, limit: 10 }),
        ).toEqual([]);
      });
    });

    it('adds and removes memberships, one per account and group, and lists an account’s groups by name', async () => {
      const { uow, seedTenant, seedAccount } = harness();
      const tenant = await seedTenant();
      const account = await seedAccount(tenant);
      const [zeta, alpha] = await uow.transaction(async (repos) => [
        await repos.groups.insert(newGroup(tenant, 'zeta')),
        await repos.groups.insert(newGroup(tenant, 'alpha')),
      ]);
      const membership = await uow.transaction((repos) => repos.groups.addMember(zeta!, account));
      expect(membership).toMatchObject({ groupId: zeta!.id, accountId: account, tenantId: tenant });
      await expect(uow.transaction((repos) => repos.groups.addMember(zeta!, account))).rejects.toThrow();
      await uow.transaction((repos) => repos.groups.addMember(alpha!, account));
      await uow.read(async (repos) => {
        expect(await repos.groups.membership(zeta!.id, account)).toEqual(membership);
        expect((await repos.groups.ofAccount(tenant, account)).map((g) => g.name)).toEqual(['alpha', 'zeta']);
      });
      expect(await uow.transaction((repos) => repos.groups.removeMember(zeta!.id, account))).toBe(true);
      expect(await uow.transaction((repos) => repos.groups.removeMember(zeta!.id, account))).toBe(false);
      await uow.read(async (repos) => {
        expect(await repos.groups.membership(zeta!.id, account)).toBeNull();
        expect((await repos.groups.ofAccount(tenant, account)).map((g) => g.name)).toEqual(['alpha']);
      });
    });

    it('updates a group, pages its members (oldest first, ties by account id) and deletes it with them', async () => {
      const { uow, seedTenant, seedAccount } = harness();
      const tenant = await seedTenant();
      const accounts = [await seedAccount(tenant), await seedAccount(tenant), await seedAccount(tenant)];
      const group = await uow.transaction((repos) => repos.groups.insert(newGroup(tenant, 'crowd', ['a.x'])));
      const other = await uow.transaction((repos) => repos.groups.insert(newGroup(tenant, 'other')));
      const updated = await uow.transaction((repos) =>
        repos.groups.update(group.id, { description: 'A crowd', permissions: ['a.x', 'b.x'] }),
      );
      expect(updated).toMatchObject({ id: group.id, description: 'A crowd', permissions: ['a.x', 'b.x'] });
      expect(await uow.read((repos) => repos.groups.find(tenant, group.id))).toEqual(updated);
      const memberships = await uow.transaction(async (repos) => {
        const made = [];
        for (const account of accounts) made.push(await repos.groups.addMember(group, account));
        await repos.groups.addMember(other, accounts[0]!);
        return made;
      });
      const expected = [...memberships]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.accountId < b.accountId ? -1 : 1))
        .map((m) => m.accountId);
      const all = await uow.read((repos) => repos.groups.members(group.id, { after: undefined, limit: 10 }));
      expect(all.map((m) => m.accountId)).toEqual(expected);
      expect(all[0]).toMatchObject({ groupId: group.id, tenantId: tenant });
      const first = await uow.read((repos) => repos.groups.members(group.id, { after: undefined, limit: 2 }));
      const rest = await uow.read((repos) =>
        repos.groups.members(group.id, {
          after: { createdAt: first[1]!.createdAt, id: first[1]!.accountId },
          limit: 10,
        }),
      );
      expect([...first, ...rest].map((m) => m.accountId)).toEqual(expected);

      // A failed unit of work deletes nothing.
      await expect(
        uow.transaction(async (repos) => {
          await repos.groups.delete(group.id);
          throw new Error('the rule refused');
        }),
      ).rejects.toThrow('the rule refused');
      expect(await uow.read((repos) => repos.groups.find(tenant, group.id))).not.toBeNull();
      const removed = await uow.transaction((repos) => repos.groups.delete(group.id));
      expect([...removed].sort()).toEqual([...accounts].sort());
      await uow.read(async (repos) => {
        expect(await repos.groups.find(tenant, group.id)).toBeNull();
        expect(await repos.groups.membership(group.id, accounts[1]!)).toBeNull();
        expect(await repos.groups.members(group.id, { after: undefined, limit: 10 })).toEqual([]);
        expect((await repos.groups.ofAccount(tenant, accounts[0]!)).map((g) => g.name)).toEqual(['other']);
      });
    });

    it('leaves nothing behind when the unit of work fails', async () => {
      const { uow, seedTenant, seedAccount } = harness();
      const tenant = await seedTenant();
      const account = await seedAccount(tenant);
      const kept = await uow.transaction((repos) => repos.groups.insert(newGroup(tenant, 'kept')));
      await expect(
        uow.transaction(async (repos) => {
          const group = await repos.groups.insert(newGroup(tenant, 'lost'));
          await repos.groups.addMember(group, account);
          await repos.groups.addMember(kept, account);
          throw new Error('the rule refused');
        }),
      ).rejects.toThrow('the rule refused');
      await uow.read(async (repos) => {
        expect(await repos.groups.findByName(tenant, 'lost')).toBeNull();
        expect(await repos.groups.membership(kept.id, account)).toBeNull();
        expect(await repos.groups.ofAccount(tenant, account)).toEqual([]);
      });
    });
  });
}
