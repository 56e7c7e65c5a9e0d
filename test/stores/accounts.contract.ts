// The store contract of accounts: every AccountStore (memory, PostgreSQL) must pass it, through its unit of
// work, so the core's account rules (server/core/src/accounts/handlers.ts) and sign-in's first account
// behave the same on both.

import { type AccountStatus, defaultPolicy } from '@enforcer/contract';
import type { Plan } from '@enforcer/contract/policy';
import type { AccountRecord, AccountStatusFields, Clock, SessionRecord, UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface AccountStoreHarness {
  uow: UnitOfWork;
  /** A new tenant (its id). */
  seedTenant(): Promise<string>;
  /** A new active account of the tenant (its id), for a new person with this email. */
  seedAccount(tenantId: string, options: { email: string; role: string }): Promise<string>;
  /** A unit of work on the same storage whose clock is `clock` (accounts it creates are stamped by it). */
  uowAt(clock: Clock): UnitOfWork;
}

const all = (tenantId: string): Plan => ({
  resource_type: 'account',
  tenant: { attribute: 'tenant_id', value: tenantId },
  decision: 'always',
});
const page = (tenantId: string, extra: object = {}) => ({
  visible: all(tenantId),
  after: undefined,
  limit: 50,
  ...extra,
});

let emails = 0;
const email = () => `account-${Date.now()}-${++emails}@example.com`;

/** Status fields of a change to `to` (a lock until a set time, by an API key, with a reason). */
const status = (to: AccountStatus): AccountStatusFields => ({
  status: to,
  statusReason: to === 'active' ? null : `because ${to}`,
  statusChangedAt: new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678)),
  statusChangedBy: { type: 'api_key', id: '00000000-0000-4000-8000-000000000001' },
  lockedUntil: to === 'locked' ? new Date(Date.UTC(2031, 0, 3)) : null,
});

const pageOrder = (a: AccountRecord, b: AccountRecord) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1);

/** A tenant row of its own: a context carries the tenant (some harnesses' tenants are bare ids). */
const tenantRow = (h: AccountStoreHarness): Promise<string> =>
  h.uow.transaction(
    async (repos) =>
      (
        await repos.tenants.create({
          code: `C${crypto.randomUUID().replace(/-/g, '').slice(0, 11).toUpperCase()}`,
          name: 'Context',
          logoUrl: null,
          theme: {},
          authProviders: ['email_otp'],
          allowSignup: true,
          policy: defaultPolicy(),
        })
      ).id,
  );

export function accountStoreContract(name: string, harness: () => AccountStoreHarness): void {
  describe(`AccountStore contract: ${name}`, () => {
    const setup = async () => {
      const h = harness();
      const tenant = await h.seedTenant();
      const other = await h.seedTenant();
      const seed = (role = 'member', address = email()) => h.seedAccount(tenant, { email: address, role });
      return { ...h, tenant, other, seed };
    };

    it('finds an account in its tenant only, locked or not', async () => {
      const { uow, tenant, other, seed } = await setup();
      const id = await seed('admin');
      await uow.transaction(async (repos) => {
        expect(await repos.accounts.find(tenant, id, { lock: true })).toMatchObject({
          id,
          tenantId: tenant,
          role: 'admin',
          active: true,
        });
        expect(await repos.accounts.find(other, id)).toBeNull();
        expect(await repos.accounts.find(tenant, crypto.randomUUID())).toBeNull();
      });
    });

    it('reads an account with its grant, person and tenant together, as each alone reads them', async () => {
      const h = harness();
      const tenant = await tenantRow(h);
      const { uow } = h;
      const id = await h.seedAccount(tenant, { email: email(), role: 'admin' });
      await uow.read(async (repos) => {
        const context = await repos.grants.findContext(id);
        const account = await repos.accounts.find(tenant, id);
        expect(context).not.toBeNull();
        expect(context!.grant).toEqual(await repos.grants.find(id));
        expect(context!.account).toEqual(account);
        expect(context!.person).toEqual(await repos.persons.find(account!.personId));
        expect(context!.tenant).toEqual(await repos.tenants.find(tenant));
        expect(context!.policyVersion).toBe((await repos.policies.forTenant(tenant)).version);
        expect(context!.pendingDeletion).toBeNull();
        expect(await repos.grants.findContext(crypto.randomUUID())).toBeNull();
      });
      // With a deletion in its grace period, the context carries it as the privacy port reads it.
      const personId = (await uow.read((repos) => repos.accounts.find(tenant, id)))!.personId;
      const now = new Date();
      const requested = await uow.transaction((repos) =>
        repos.privacy.create({
          tenantId: tenant,
          accountId: id,
          personId,
          status: 'pending',
          createdAt: now,
          scheduledFor: new Date(now.getTime() + 86_400_000),
          cancelledAt: null,
          completedAt: null,
          processedBy: null,
        }),
      );
      await uow.read(async (repos) => {
        const context = await repos.grants.findContext(id);
        expect(context!.pendingDeletion).toEqual(requested);
        expect(context!.pendingDeletion).toEqual(await repos.privacy.pendingOf(personId));
      });
    });

    it("finds a refresh token's session with its account's context, as the two finds do", async () => {
      const h = harness();
      const tenant = await tenantRow(h);
      const { uow } = h;
      const id = await h.seedAccount(tenant, { email: email(), role: 'admin' });
      const account = (await uow.read((repos) => repos.accounts.find(tenant, id)))!;
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const session: SessionRecord = {
        id: crypto.randomUUID(),
        accountId: id,
        personId: account.personId,
        tenantId: tenant,
        amr: ['otp'],
        mfaAt: null,
        ip: '203.0.113.9',
        userAgent: 'contract',
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: new Date(now.getTime() + 3_600_000),
        revokedAt: null,
        revokeReason: null,
      };
      const tokenHash = `hash-${crypto.randomUUID()}`;
      await uow.transaction((repos) =>
        repos.sessions.insertSession(session, {
          id: crypto.randomUUID(),
          sessionId: session.id,
          tokenHash,
          parentId: null,
          replacedById: null,
          usedAt: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + 3_600_000),
        }),
      );
      // Twice: the second read may come from what the first one kept, and must be the same.
      for (let i = 0; i < 2; i++) {
        await uow.read(async (repos) => {
          const found = await repos.grants.findByRefreshToken(tokenHash);
          expect(found).toEqual({
            session: await repos.sessions.findSession(session.id),
            context: await repos.grants.findContext(id),
          });
          expect(found!.session).toEqual(session);
          expect(found!.context!.account.roles).toEqual(['admin']);
          expect(await repos.grants.findByRefreshToken(`hash-${crypto.randomUUID()}`)).toBeNull();
        });
      }
      // A change to the account shows at once.
      await uow.transaction(async (repos) => {
        await repos.accounts.update(id, { roles: ['member'] });
      });
      const after = await uow.read((repos) => repos.grants.findByRefreshToken(tokenHash));
      expect(after!.context!.account.roles).toEqual(['member']);
      expect(after!.context!.grant.roles).toEqual(['member']);
    });

    it("creates a person's account in a tenant and finds it there only", async () => {
      const { uow, tenant, other } = await setup();
      const address = email();
      const created = await uow.transaction(async (repos) => {
        const person = await repos.persons.create({ email: address, emailVerifiedAt: null });
        return repos.accounts.create({ personId: person.id, tenantId: tenant, role: 'member' });
      });
      expect(created).toMatchObject({ tenantId: tenant, role: 'member', active: true });
      expect(created.createdAt).toBeInstanceOf(Date);
      await uow.read(async (repos) => {
        expect(await repos.accounts.findOfPerson(created.personId, tenant)).toEqual(created);
        expect(await repos.accounts.findOfPerson(created.personId, other)).toBeNull();
        expect(await repos.accounts.findOfPerson(crypto.randomUUID(), tenant)).toBeNull();
        expect(await repos.accounts.find(tenant, created.id)).toEqual(created);
        const { email: found } = (await repos.accounts.profiles([created.id]))[0]!;
        expect(found).toBe(address);
      });
    });

    it('keeps one account per person and tenant', async () => {
      const { uow, tenant, other } = await setup();
      const person = await uow.transaction((repos) =>
        repos.persons.create({ email: email(), emailVerifiedAt: null }),
      );
      const create = (tenantId: string) =>
        uow.transaction((repos) => repos.accounts.create({ personId: person.id, tenantId, role: 'member' }));
      await create(tenant);
      await expect(create(tenant)).rejects.toThrow();
      await create(other);
      const mine = await uow.read((repos) =>
        repos.accounts.ofPerson(person.id, { after: undefined, limit: 50 }),
      );
      expect(mine.map((a) => a.tenantId).sort()).toEqual([tenant, other].sort());
    });

    it('leaves no person nor account behind when the unit of work fails', async () => {
      const { uow, tenant } = await setup();
      const address = email();
      let personId = '';
      await expect(
        uow.transaction(async (repos) => {
          personId = (await repos.persons.create({ email: address, emailVerifiedAt: null })).id;
          await repos.accounts.create({ personId, tenantId: tenant, role: 'member' });
          throw new Error('halfway');
        }),
      ).rejects.toThrow('halfway');
      await uow.read(async (repos) => {
        expect(await repos.persons.findByEmail(address)).toBeNull();
        expect(await repos.accounts.findOfPerson(personId, tenant)).toBeNull();
      });
    });

    it('lists in page order, after a position, at most `limit`, narrowed by the plan and the filter', async () => {
      const { uow, tenant, other, seed } = await setup();
      const ownerEmail = email();
      const ids = [
        await seed('owner', ownerEmail),
        await seed('member'),
        await seed('member'),
        await seed('admin'),
      ];
      await seed('member'); // a fifth one, deactivated below
      await uow.transaction(async (repos) => {
        const [fifth] = (await repos.accounts.list(tenant, page(tenant))).filter((a) => !ids.includes(a.id));
        await repos.accounts.update(fifth!.id, { status: status('deactivated') });
      });
      await uow.read(async (repos) => {
        const everyone = await repos.accounts.list(tenant, page(tenant));
        expect(everyone).toHaveLength(5);
        expect(everyone.map((a) => a.id)).toEqual([...everyone].sort(pageOrder).map((a) => a.id));
        const next = await repos.accounts.list(tenant, page(tenant, { after: everyone[1], limit: 2 }));
        expect(next.map((a) => a.id)).toEqual(everyone.slice(2, 4).map((a) => a.id));
        expect((await repos.accounts.list(tenant, page(tenant, { role: 'member' }))).length).toBe(3);
        expect((await repos.accounts.list(tenant, page(tenant, { statuses: ['deactivated'] }))).length).toBe(
          1,
        );
        expect(
          (await repos.accounts.list(tenant, page(tenant, { statuses: ['active', 'locked'] }))).length,
        ).toBe(4);
        expect(
          (await repos.accounts.list(tenant, page(tenant, { email: ownerEmail }))).map((a) => a.id),
        ).toEqual([ids[0]]);
        const one = await repos.accounts.list(
          tenant,
          page(tenant, {
            visible: {
              ...all(tenant),
              decision: 'conditional',
              condition: { op: 'eq', attr: 'id', type: 'string', value: ids[3] },
            },
          }),
        );
        expect(one.map((a) => a.id)).toEqual([ids[3]]);
        expect(
          await repos.accounts.list(tenant, page(tenant, { visible: { ...all(tenant), decision: 'never' } })),
        ).toEqual([]);
        expect(await repos.accounts.list(other, page(tenant))).toEqual([]);
      });
    });

    it('orders accounts created at the same moment by id, and pages through the tie', async () => {
      const { tenant, other, uowAt } = await setup();
      const moment = new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 123));
      const frozen = uowAt({ now: () => new Date(moment) });
      const created: AccountRecord[] = [];
      for (let i = 0; i < 6; i++) {
        created.push(
          await frozen.transaction(async (repos) => {
            const person = await repos.persons.create({ email: email(), emailVerifiedAt: null });
            return repos.accounts.create({ personId: person.id, tenantId: tenant, role: 'member' });
          }),
        );
      }
      expect(new Set(created.map((a) => a.createdAt.getTime()))).toEqual(new Set([moment.getTime()]));
      const byId = created.map((a) => a.id).sort();
      await frozen.read(async (repos) => {
        const everyone = await repos.accounts.list(tenant, page(tenant));
        expect(everyone.map((a) => a.id)).toEqual(byId);
        const next = await repos.accounts.list(tenant, page(tenant, { after: everyone[1], limit: 3 }));
        expect(next.map((a) => a.id)).toEqual(byId.slice(2, 5));
        const rest = await repos.accounts.list(tenant, page(tenant, { after: next[2], limit: 50 }));
        expect(rest.map((a) => a.id)).toEqual(byId.slice(5));
        const { personId } = await repos.accounts.contacts(byId[0]!);
        expect(
          (await repos.accounts.ofPerson(personId, { after: undefined, limit: 50 })).map((a) => a.id),
        ).toEqual([byId[0]]);
        expect(await repos.accounts.list(other, page(other))).toEqual([]);
      });
    });

    it("pages a person's accounts (their memberships): only theirs, in page order, after a position", async () => {
      const { uow, seed } = await setup();
      const mine = await seed('member');
      await seed('member');
      await uow.read(async (repos) => {
        const { personId } = await repos.accounts.contacts(mine);
        const first = await repos.accounts.ofPerson(personId, { after: undefined, limit: 50 });
        expect(first.map((a) => a.id)).toEqual([mine]);
        expect(first[0]).toMatchObject({ personId, role: 'member', active: true });
        expect(await repos.accounts.ofPerson(personId, { after: first[0], limit: 50 })).toEqual([]);
        expect(await repos.accounts.ofPerson(crypto.randomUUID(), { after: undefined, limit: 50 })).toEqual(
          [],
        );
      });
    });

    it('describes accounts as they are now: email and sorted group names, in the order asked', async () => {
      const { uow, tenant, seed } = await setup();
      const address = email();
      const [a, b] = [await seed('member', address), await seed('admin')];
      await uow.transaction(async (repos) => {
        for (const n of ['zeta', 'alpha']) {
          const group = await repos.groups.insert({
            tenantId: tenant,
            name: n,
            description: null,
            permissions: [],
            builtIn: false,
          });
          await repos.groups.addMember(group, a);
        }
        await repos.accounts.update(b, { role: 'member', status: status('banned') });
      });
      const profiles = await uow.read((repos) => repos.accounts.profiles([b, a, crypto.randomUUID()]));
      expect(profiles.map((p) => [p.id, p.role, p.active, p.email === address, p.groups])).toEqual([
        [b, 'member', false, false, []],
        [a, 'member', true, true, ['alpha', 'zeta']],
      ]);
    });

    it('keeps every status field as written, `active` following `status`, in records and grants', async () => {
      const { uow, tenant, seed } = await setup();
      const id = await seed('admin');
      await uow.read(async (repos) => {
        expect(await repos.accounts.find(tenant, id)).toMatchObject({
          status: 'active',
          active: true,
          statusReason: null,
          statusChangedAt: null,
          statusChangedBy: null,
          lockedUntil: null,
        });
      });
      for (const to of ['locked', 'banned', 'deleted', 'deactivated', 'active'] as const) {
        await uow.transaction((repos) => repos.accounts.update(id, { status: status(to) }));
        await uow.read(async (repos) => {
          const found = await repos.accounts.find(tenant, id);
          expect(found).toMatchObject({ ...status(to), active: to === 'active', role: 'admin' });
          expect((await repos.accounts.profiles([id]))[0]).toMatchObject({ ...status(to) });
          expect(await repos.grants.find(id)).toMatchObject({ active: to === 'active' });
          const listed = await repos.accounts.list(tenant, page(tenant, { statuses: [to] }));
          expect(listed.map((a) => a.id)).toEqual([id]);
        });
      }
    });

    it('keeps each metadata object as written (JSON, any key), changes only the ones given, and grants carry public metadata', async () => {
      const { uow, seed } = await setup();
      const id = await seed();
      await uow.read(async (repos) => {
        expect(
          (await repos.accounts.find((await repos.accounts.profiles([id]))[0]!.tenantId, id))?.metadata,
        ).toEqual({ publicMetadata: {}, privateMetadata: {}, userMetadata: {} });
      });
      const written = {
        kyc_level: 2,
        nested: { list: [1, 'two', null, { deep: true }], empty: {} },
        unicode: 'é😀',
      };
      // A key named __proto__ is data (JSON.parse makes it an own property, as a request body does).
      const withProto = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
      await uow.transaction(async (repos) => {
        await repos.accounts.update(id, {
          metadata: { publicMetadata: written, privateMetadata: withProto },
        });
      });
      await uow.transaction(async (repos) => {
        await repos.accounts.update(id, { metadata: { userMetadata: { theme: 'dark' } } });
      });
      await uow.read(async (repos) => {
        const [profile] = await repos.accounts.profiles([id]);
        expect(profile!.metadata.publicMetadata).toEqual(written);
        expect(Object.hasOwn(profile!.metadata.privateMetadata, '__proto__')).toBe(true);
        // Key order is not kept (jsonb orders keys its own way); the prototype is Object's, untouched.
        expect(profile!.metadata.privateMetadata.a).toBe(1);
        expect(
          Object.getOwnPropertyDescriptor(profile!.metadata.privateMetadata, '__proto__')?.value,
        ).toEqual({
          polluted: true,
        });
        expect(Object.getPrototypeOf(profile!.metadata.privateMetadata)).toBe(Object.prototype);
        expect(profile!.metadata.userMetadata).toEqual({ theme: 'dark' });
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        const record = await repos.accounts.find(profile!.tenantId, id);
        expect(record!.metadata).toEqual(profile!.metadata);
        expect((await repos.grants.find(id))!.publicMetadata).toEqual(written);
      });
      // What a caller gets is a copy: changing it changes nothing stored.
      await uow.read(async (repos) => {
        const [profile] = await repos.accounts.profiles([id]);
        (profile!.metadata.publicMetadata as Record<string, unknown>).kyc_level = 99;
        expect((await repos.accounts.profiles([id]))[0]!.metadata.publicMetadata.kyc_level).toBe(2);
      });
    });

    it('counts the other active accounts holding given roles', async () => {
      const { uow, tenant, other, seed } = await setup();
      const me = await seed('owner');
      const second = await seed('owner');
      await seed('admin');
      await seed('member');
      await uow.read(async (repos) => {
        expect(await repos.accounts.countActive(tenant, ['owner'], me)).toBe(1);
        expect(await repos.accounts.countActive(tenant, ['owner', 'admin'], me)).toBe(2);
        expect(await repos.accounts.countActive(other, ['owner'], me)).toBe(0);
      });
      await uow.transaction((repos) => repos.accounts.update(second, { status: status('locked') }));
      expect(await uow.read((repos) => repos.accounts.countActive(tenant, ['owner'], me))).toBe(0);
    });

    it('keeps several roles in grant order (the first is `role`), in records, grants, profiles, lists and counts', async () => {
      const { uow, tenant, seed } = await setup();
      const me = await seed('member');
      const id = await seed('member');
      const created = await uow.transaction(async (repos) => {
        const person = await repos.persons.create({ email: email(), emailVerifiedAt: null });
        return repos.accounts.create({
          personId: person.id,
          tenantId: tenant,
          role: 'support',
          roles: ['support', 'billing', 'support'],
        });
      });
      expect(created).toMatchObject({ role: 'support', roles: ['support', 'billing'] });
      await uow.transaction((repos) => repos.accounts.update(id, { roles: ['member', 'owner', 'auditor'] }));
      await uow.read(async (repos) => {
        expect(await repos.accounts.find(tenant, id)).toMatchObject({
          role: 'member',
          roles: ['member', 'owner', 'auditor'],
        });
        expect((await repos.grants.find(id))?.roles).toEqual(['member', 'owner', 'auditor']);
        const [profile] = await repos.accounts.profiles([id]);
        expect(profile?.roles).toEqual(['member', 'owner', 'auditor']);
        // "Holds": an account listed under any of its roles, whichever is first.
        const holding = async (role: string) =>
          (await repos.accounts.list(tenant, page(tenant, { role }))).map((a) => a.id).sort();
        expect(await holding('owner')).toEqual([id]);
        expect(await holding('billing')).toEqual([created.id]);
        expect(await holding('member')).toEqual([me, id].sort());
        expect(await holding('nobody')).toEqual([]);
        expect(await repos.accounts.countActive(tenant, ['owner'], me)).toBe(1);
        expect(await repos.accounts.countActive(tenant, ['auditor', 'billing'], me)).toBe(2);
        expect(await repos.accounts.countActive(tenant, ['owner'], id)).toBe(0);
        const held = await repos.grants.rolesHeld(tenant);
        expect(held.byActiveAccounts.sort()).toEqual(['auditor', 'billing', 'member', 'owner', 'support']);
      });
      // `role` replaces them all with one; the order of `roles` is kept as written.
      await uow.transaction((repos) => repos.accounts.update(id, { roles: ['auditor', 'member'] }));
      expect(await uow.read((repos) => repos.accounts.find(tenant, id))).toMatchObject({
        role: 'auditor',
        roles: ['auditor', 'member'],
      });
      await uow.transaction((repos) => repos.accounts.update(id, { role: 'admin' }));
      expect(await uow.read((repos) => repos.accounts.find(tenant, id))).toMatchObject({
        role: 'admin',
        roles: ['admin'],
      });
    });

    it('knows the person’s contacts, and bumps a grant version without changing the record', async () => {
      const { uow, tenant, seed } = await setup();
      const address = email();
      const id = await seed('member', address);
      const before = await uow.read((repos) => repos.accounts.find(tenant, id));
      await uow.transaction((repos) => repos.accounts.bumpGrantVersion(id));
      expect(await uow.read((repos) => repos.accounts.find(tenant, id))).toEqual(before);
      const contacts = await uow.read((repos) => repos.accounts.contacts(id));
      expect(contacts).toEqual({ personId: before!.personId, email: address, phones: [] });
    });

    it('ends the sessions an account acts in as someone else (impersonation), and only those', async () => {
      const { uow, tenant, seed } = await setup();
      const [actor, target] = [await seed('owner'), await seed('member')];
      const now = new Date(Date.UTC(2031, 0, 1));
      const person = (await uow.read((repos) => repos.accounts.find(tenant, target)))!.personId;
      const session = (actorAccountId?: string): SessionRecord => ({
        id: crypto.randomUUID(),
        accountId: target,
        personId: person,
        tenantId: tenant,
        amr: [],
        mfaAt: null,
        ip: null,
        userAgent: null,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: new Date(now.getTime() + 900_000),
        revokedAt: null,
        revokeReason: null,
        ...(actorAccountId ? { actorAccountId } : {}),
      });
      const acted = session(actor);
      const own = session();
      await uow.transaction(async (repos) => {
        await repos.sessions.insertBearerSession(acted);
        await repos.sessions.insertBearerSession(own);
      });
      expect(await uow.read((repos) => repos.sessions.findSession(acted.id))).toEqual(acted);
      expect(await uow.read((repos) => repos.sessions.findSession(own.id))).toEqual(own);
      // The target's own account acts in nothing; the actor's sessions of its own are not touched.
      expect(await uow.transaction((repos) => repos.accountSessions.endActedBy(target, 'x'))).toBe(0);
      expect(await uow.transaction((repos) => repos.accountSessions.endActedBy(actor, 'actor_locked'))).toBe(
        1,
      );
      const ended = await uow.read((repos) => repos.sessions.findSession(acted.id));
      expect(ended).toMatchObject({ actorAccountId: actor, revokeReason: 'actor_locked' });
      expect(ended?.revokedAt).toBeInstanceOf(Date);
      expect((await uow.read((repos) => repos.sessions.findSession(own.id)))?.revokedAt).toBeNull();
      expect(await uow.transaction((repos) => repos.accountSessions.endActedBy(actor, 'again'))).toBe(0);
    });
  });
}
