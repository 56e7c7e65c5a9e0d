// The store contract of tenants and invites: every TenantStore and InviteStore (memory, PostgreSQL) must
// pass it, run through the core's rules (provisionTenant), so a store that passes behaves the same under
// the server and under the mock.
import {
  AppError,
  byPosition,
  generateTenantCode,
  hashInviteCode,
  type NewInvite,
  normaliseTenantCode,
  provisionTenant,
  type RandomSource,
  type TenantListRequest,
  type UnitOfWork,
  webCryptoRandom,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface TenantStoreHarness {
  uow: UnitOfWork;
}

/** Randomness whose first `bytes` calls answer the given arrays, then real random bytes. */
const scripted = (...first: Uint8Array[]): RandomSource => ({
  bytes: (length) => first.shift() ?? webCryptoRandom.bytes(length),
  uuid: () => webCryptoRandom.uuid(),
});

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

let invites = 0;
const newInvite = async (tenantId: string, over: Partial<NewInvite> = {}) => {
  const code = `inv_contract-${Date.now()}-${++invites}`;
  const invite: NewInvite = {
    id: webCryptoRandom.uuid(),
    tenantId,
    email: `invitee-${invites}@example.com`,
    phone: null,
    role: 'member',
    roles: ['member'],
    groups: [],
    provisioned: false,
    codeHash: await hashInviteCode(code),
    createdBy: null,
    expiresAt: new Date(Date.now() + 3600_000),
    acceptedAt: null,
    ...over,
  };
  return { code, invite };
};

export function tenantStoreContract(name: string, harness: () => TenantStoreHarness): void {
  describe(`TenantStore and InviteStore contract: ${name}`, () => {
    it("finds tenants by their Privy app id, at most as many as asked, and not by another setting's", async () => {
      const { uow } = harness();
      const appId = `app-${webCryptoRandom.uuid()}`;
      const made = await uow.transaction(async (repos) => {
        const tenants = [];
        for (const name of ['Privy One', 'Privy Two', 'Privy Three']) {
          const tenant = await provisionTenant(repos, webCryptoRandom, { name });
          tenants.push(tenant);
        }
        await repos.tenants.update(tenants[0]!.id, { authSettings: { privy: { app_id: appId } } });
        await repos.tenants.update(tenants[1]!.id, { authSettings: { privy: { app_id: appId } } });
        await repos.tenants.update(tenants[2]!.id, { authSettings: { google: { client_id: appId } } });
        return tenants;
      });
      const ids = (found: Array<{ id: string }>) => found.map((t) => t.id).sort();
      await uow.read(async (repos) => {
        expect(ids(await repos.tenants.findByPrivyAppId(appId, 5))).toEqual(ids(made.slice(0, 2)));
        expect(await repos.tenants.findByPrivyAppId(appId, 1)).toHaveLength(1);
        expect((await repos.tenants.findByPrivyAppId(appId, 2))[0]?.authSettings).toEqual({
          privy: { app_id: appId },
        });
        expect(await repos.tenants.findByPrivyAppId(`${appId}-other`, 2)).toEqual([]);
      });
    });

    it('provisions a tenant with a well-formed code, found by id and by code', async () => {
      const { uow } = harness();
      const tenant = await uow.transaction((repos) =>
        provisionTenant(repos, webCryptoRandom, { name: 'Contract Co', theme: { primary: '#123456' } }),
      );
      expect(normaliseTenantCode(tenant.code)).toBe(tenant.code);
      expect(tenant).toMatchObject({
        name: 'Contract Co',
        logoUrl: null,
        theme: { primary: '#123456' },
        authProviders: ['email_otp'],
        allowSignup: true,
        authSettings: {},
      });
      const byId = await uow.read((repos) => repos.tenants.find(tenant.id));
      const byCode = await uow.read((repos) => repos.tenants.findByCode(tenant.code));
      expect(byId).toEqual(tenant);
      expect(byCode).toEqual(tenant);
      expect(await uow.read((repos) => repos.tenants.find(webCryptoRandom.uuid()))).toBeNull();
      expect(await uow.read((repos) => repos.tenants.findByCode('ZZZZ-ZZZZ-ZZZ0'))).toBeNull();
    });

    it('keeps codes unique: a taken code is a conflict, and provisioning draws again', async () => {
      const { uow } = harness();
      const bytes = webCryptoRandom.bytes(12);
      const code = generateTenantCode(scripted(bytes));
      const first = await uow.transaction((repos) =>
        provisionTenant(repos, scripted(bytes), { name: 'First' }),
      );
      expect(first.code).toBe(code);
      const error = await rejection(
        uow.transaction((repos) => provisionTenant(repos, webCryptoRandom, { name: 'Same code', code })),
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('conflict');
      // The same bytes again: the colliding code is seen and another drawn.
      const second = await uow.transaction((repos) =>
        provisionTenant(repos, scripted(bytes), { name: 'Second' }),
      );
      expect(second.code).not.toBe(code);
      expect(normaliseTenantCode(second.code)).toBe(second.code);
    });

    it('a failed provisioning leaves nothing behind', async () => {
      const { uow } = harness();
      const code = generateTenantCode(webCryptoRandom);
      let tenantId = '';
      let codeHash = '';
      const error = await rejection(
        uow.transaction(async (repos) => {
          const tenant = await provisionTenant(repos, webCryptoRandom, { name: 'Doomed', code });
          tenantId = tenant.id;
          const { invite } = await newInvite(tenant.id);
          codeHash = invite.codeHash;
          await repos.invites.create(invite);
          expect(await repos.tenants.findByCode(code)).not.toBeNull();
          throw new Error('the owner could not be created');
        }),
      );
      expect((error as Error).message).toBe('the owner could not be created');
      await uow.read(async (repos) => {
        expect(await repos.tenants.findByCode(code)).toBeNull();
        expect(await repos.tenants.find(tenantId)).toBeNull();
        expect(await repos.invites.findByCodeHash(codeHash)).toBeNull();
      });
      // The code is free again.
      const retried = await uow.transaction((repos) =>
        provisionTenant(repos, webCryptoRandom, { name: 'Retried', code }),
      );
      expect(retried.code).toBe(code);
    });

    it('updates the fields it is given and nothing else', async () => {
      const { uow } = harness();
      const tenant = await uow.transaction((repos) =>
        provisionTenant(repos, webCryptoRandom, { name: 'Before', logoUrl: 'https://example.com/a.png' }),
      );
      const updated = await uow.transaction((repos) =>
        repos.tenants.update(tenant.id, {
          name: 'After',
          authProviders: ['email_otp', 'passkey'],
          authSettings: { passkey: { rp_id: 'example.com' } },
        }),
      );
      expect(updated).toEqual({
        ...tenant,
        name: 'After',
        authProviders: ['email_otp', 'passkey'],
        authSettings: { passkey: { rp_id: 'example.com' } },
      });
      expect(await uow.read((repos) => repos.tenants.find(tenant.id))).toEqual(updated);
      const missing = await rejection(
        uow.transaction((repos) => repos.tenants.update(webCryptoRandom.uuid(), { name: 'x' })),
      );
      expect((missing as AppError).code).toBe('not_found');
    });

    it('finds invites by code hash; pending means not accepted and not expired, per tenant and email', async () => {
      const { uow } = harness();
      const [a, b] = await uow.transaction(async (repos) => [
        await provisionTenant(repos, webCryptoRandom, { name: 'Invites A' }),
        await provisionTenant(repos, webCryptoRandom, { name: 'Invites B' }),
      ]);
      const now = new Date();
      const live = await newInvite(a!.id, { email: 'live@example.com' });
      const expired = await newInvite(a!.id, {
        email: 'expired@example.com',
        expiresAt: new Date(now.getTime() - 1000),
      });
      const accepted = await newInvite(a!.id, { email: 'accepted@example.com', acceptedAt: now });
      await uow.transaction(async (repos) => {
        for (const { invite } of [live, expired, accepted]) await repos.invites.create(invite);
      });
      const found = await uow.read((repos) => repos.invites.findByCodeHash(live.invite.codeHash));
      expect(found).toMatchObject({ ...live.invite, revokedAt: null, sentAt: null });
      expect(found?.createdAt).toBeInstanceOf(Date);
      const pending = (tenantId: string, email: string) =>
        uow.read((repos) => repos.invites.hasPending(tenantId, email, now));
      expect(await pending(a!.id, 'live@example.com')).toBe(true);
      expect(await pending(b!.id, 'live@example.com')).toBe(false);
      expect(await pending(a!.id, 'expired@example.com')).toBe(false);
      expect(await pending(a!.id, 'accepted@example.com')).toBe(false);
      expect(await pending(a!.id, 'nobody@example.com')).toBe(false);
    });

    it('lists every tenant in page order, searched by name (any case) or code, filtered by status (#15)', async () => {
      const { uow } = harness();
      const tag = `Q${webCryptoRandom.uuid().slice(0, 8)}`;
      const made = await uow.transaction(async (repos) => [
        await provisionTenant(repos, webCryptoRandom, { name: `Alpha ${tag} one` }),
        await provisionTenant(repos, webCryptoRandom, { name: `beta ${tag.toLowerCase()} two` }),
        await provisionTenant(repos, webCryptoRandom, { name: `Gamma ${tag} 100%_off` }),
      ]);
      const inOrder = [...made].sort(byPosition).map((t) => t.id);
      const list = (request: Partial<TenantListRequest>) =>
        uow.read((repos) => repos.tenants.list({ after: undefined, limit: 50, ...request }));
      const ids = (rows: { id: string }[]) => rows.map((t) => t.id);
      expect(ids(await list({ q: tag.toUpperCase() }))).toEqual(inOrder);
      expect((await list({ q: tag }))[0]).toMatchObject({
        status: 'active',
        statusReason: null,
        statusChangedAt: null,
      });
      // Pages: `limit` rows after a position.
      const first = await list({ q: tag, limit: 2 });
      expect(ids(first)).toEqual(inOrder.slice(0, 2));
      expect(ids(await list({ q: tag, after: first[1] }))).toEqual(inOrder.slice(2));
      // A code, any case: that tenant only.
      expect(ids(await list({ q: made[1]!.code.toLowerCase() }))).toEqual([made[1]!.id]);
      // LIKE's wildcards are text.
      expect(ids(await list({ q: `${tag} 100%_off` }))).toEqual([made[2]!.id]);
      expect(ids(await list({ q: `${tag}%one` }))).toEqual([]);
      // Status: written and filtered.
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      const suspended = await uow.transaction((repos) =>
        repos.tenants.update(made[0]!.id, {
          status: 'suspended',
          statusReason: 'unpaid',
          statusChangedAt: at,
        }),
      );
      expect(suspended).toMatchObject({ status: 'suspended', statusReason: 'unpaid', statusChangedAt: at });
      expect(await uow.read((repos) => repos.tenants.find(made[0]!.id))).toEqual(suspended);
      expect(ids(await list({ q: tag, status: 'suspended' }))).toEqual([made[0]!.id]);
      expect(ids(await list({ q: tag, status: 'active' }))).toEqual(
        inOrder.filter((id) => id !== made[0]!.id),
      );
    });

    it('finds tenants due for deletion, and erases one with its accounts and its only-here persons (#15)', async () => {
      const { uow } = harness();
      const tag = webCryptoRandom.uuid().slice(0, 8);
      const [doomed, keeper] = await uow.transaction(async (repos) => [
        await provisionTenant(repos, webCryptoRandom, { name: `Doomed ${tag}` }),
        await provisionTenant(repos, webCryptoRandom, { name: `Keeper ${tag}` }),
      ]);
      const [only, shared] = await uow.transaction(async (repos) => {
        const a = await repos.persons.create({ email: `only-${tag}@example.com`, emailVerifiedAt: null });
        const b = await repos.persons.create({ email: `shared-${tag}@example.com`, emailVerifiedAt: null });
        await repos.members.addAccount(doomed!.id, a.id, 'owner');
        await repos.members.addAccount(doomed!.id, b.id, 'member');
        await repos.members.addAccount(keeper!.id, b.id, 'member');
        return [a, b];
      });
      const now = new Date();
      const due = (at: Date) => uow.read((repos) => repos.tenants.dueForDeletion(at, 100));
      expect((await due(now)).map((t) => t.id)).not.toContain(doomed!.id);
      const dueAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + 60_000);
      await uow.transaction((repos) =>
        repos.tenants.update(doomed!.id, {
          status: 'pending_deletion',
          statusChangedAt: now,
          deletionDueAt: dueAt,
        }),
      );
      expect((await uow.read((repos) => repos.tenants.find(doomed!.id)))?.deletionDueAt).toEqual(dueAt);
      expect((await due(now)).map((t) => t.id)).not.toContain(doomed!.id);
      expect((await due(new Date(dueAt.getTime() + 1))).map((t) => t.id)).toContain(doomed!.id);

      const erased = await uow.transaction((repos) => repos.tenants.erase(doomed!.id));
      expect(erased).toEqual({ persons: 1 });
      expect(await uow.read((repos) => repos.tenants.find(doomed!.id))).toBeNull();
      expect(await uow.read((repos) => repos.persons.find(only!.id))).toBeNull();
      expect(await uow.read((repos) => repos.persons.find(shared!.id))).not.toBeNull();
      expect(await uow.read((repos) => repos.members.hasAccount(keeper!.id, shared!.email!))).toBe(true);
      expect(await uow.read((repos) => repos.tenants.find(keeper!.id))).not.toBeNull();
    });

    it("stores a tenant's limits (none at first) and writes them", async () => {
      const { uow } = harness();
      const tenant = await uow.transaction((repos) =>
        provisionTenant(repos, webCryptoRandom, { name: 'Limited' }),
      );
      expect((await uow.read((repos) => repos.tenants.find(tenant.id)))?.limits ?? {}).toEqual({});
      const updated = await uow.transaction((repos) =>
        repos.tenants.update(tenant.id, { limits: { max_permissions_per_role: 3 } }),
      );
      expect(updated.limits).toEqual({ max_permissions_per_role: 3 });
      expect((await uow.read((repos) => repos.tenants.find(tenant.id)))?.limits).toEqual({
        max_permissions_per_role: 3,
      });
    });

    it('finds an invite in its tenant only, lists by page order and status, and updates it', async () => {
      const { uow } = harness();
      const [a, b] = await uow.transaction(async (repos) => [
        await provisionTenant(repos, webCryptoRandom, { name: 'Invite list A' }),
        await provisionTenant(repos, webCryptoRandom, { name: 'Invite list B' }),
      ]);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const made = [
        await newInvite(a!.id, { email: 'one@example.com' }),
        await newInvite(a!.id, { email: 'two@example.com', expiresAt: new Date(now.getTime() - 1000) }),
        await newInvite(a!.id, { email: 'three@example.com', acceptedAt: now }),
        await newInvite(a!.id, { email: 'four@example.com' }),
      ];
      await uow.transaction(async (repos) => {
        for (const { invite } of made) await repos.invites.create(invite);
        await repos.invites.create((await newInvite(b!.id)).invite);
      });
      const [one, two, three, four] = made.map((m) => m.invite);
      // Revoked: the fourth, with its code replaced.
      await uow.transaction((repos) =>
        repos.invites.update(four!.id, { revokedAt: now, codeHash: 'replaced' }),
      );
      await uow.read(async (repos) => {
        expect(await repos.invites.find(a!.id, one!.id)).toMatchObject({
          id: one!.id,
          email: 'one@example.com',
        });
        expect(await repos.invites.find(b!.id, one!.id)).toBeNull();
        expect(await repos.invites.findByCodeHash(four!.codeHash)).toBeNull();
        expect(await repos.invites.find(a!.id, four!.id)).toMatchObject({
          revokedAt: now,
          codeHash: 'replaced',
        });
        expect(await repos.invites.hasPending(a!.id, 'four@example.com', now)).toBe(false);
        const all = await repos.invites.list(a!.id, { after: undefined, limit: 10, now });
        const order = [...all].sort(
          (x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1),
        );
        expect(all.map((i) => i.id)).toEqual(order.map((i) => i.id));
        expect(new Set(all.map((i) => i.id))).toEqual(new Set(made.map((m) => m.invite.id)));
        const page = await repos.invites.list(a!.id, { after: undefined, limit: 2, now });
        const rest = await repos.invites.list(a!.id, { after: page[1], limit: 10, now });
        expect([...page, ...rest].map((i) => i.id)).toEqual(all.map((i) => i.id));
        const only = async (status: 'pending' | 'accepted' | 'expired' | 'revoked') =>
          (await repos.invites.list(a!.id, { after: undefined, limit: 10, now, status })).map((i) => i.id);
        expect(await only('pending')).toEqual([one!.id]);
        expect(await only('expired')).toEqual([two!.id]);
        expect(await only('accepted')).toEqual([three!.id]);
        expect(await only('revoked')).toEqual([four!.id]);
      });
      const later = new Date(now.getTime() + 60_000);
      await uow.transaction((repos) =>
        repos.invites.update(two!.id, {
          codeHash: 'renewed',
          expiresAt: later,
          sentAt: now,
          roles: ['admin', 'member'],
        }),
      );
      expect(await uow.read((repos) => repos.invites.findByCodeHash('renewed'))).toMatchObject({
        id: two!.id,
        expiresAt: later,
        sentAt: now,
        revokedAt: null,
        role: 'admin',
        roles: ['admin', 'member'],
      });
    });

    it('finds the oldest pending provisioning for an email or a phone, per tenant; plain invites never', async () => {
      const { uow } = harness();
      const [a, b] = await uow.transaction(async (repos) => [
        await provisionTenant(repos, webCryptoRandom, { name: 'Provisioned A' }),
        await provisionTenant(repos, webCryptoRandom, { name: 'Provisioned B' }),
      ]);
      const now = new Date();
      const provisioning = {
        provisioned: true,
        roles: ['admin', 'member'],
        role: 'admin',
        groups: ['verified'],
      };
      const byPhone = await newInvite(a!.id, { ...provisioning, email: null, phone: '+14155550100' });
      const byEmail = await newInvite(a!.id, {
        ...provisioning,
        email: 'jit@example.com',
        phone: '+14155550101',
      });
      const plain = await newInvite(a!.id, { email: 'plain@example.com' });
      const expired = await newInvite(a!.id, {
        ...provisioning,
        email: 'late@example.com',
        expiresAt: new Date(now.getTime() - 1000),
      });
      for (const { invite } of [byPhone, byEmail, plain, expired]) {
        await uow.transaction((repos) => repos.invites.create(invite));
        // "The oldest" is by creation time (ties broken by id): let each invite have a time of its own, as
        // the memory store's millisecond clock could give two the same one.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const find = (tenantId: string, emails: string[], phones: string[]) =>
        uow.transaction((repos) => repos.invites.pendingProvisioning(tenantId, { emails, phones }, now));
      expect(await find(a!.id, [], ['+14155550100'])).toMatchObject({
        id: byPhone.invite.id,
        email: null,
        phone: '+14155550100',
        role: 'admin',
        roles: ['admin', 'member'],
        groups: ['verified'],
        provisioned: true,
      });
      expect((await find(a!.id, ['jit@example.com'], []))?.id).toBe(byEmail.invite.id);
      // Both match: the oldest.
      expect((await find(a!.id, ['jit@example.com'], ['+14155550100']))?.id).toBe(byPhone.invite.id);
      expect(await find(b!.id, ['jit@example.com'], ['+14155550100'])).toBeNull();
      expect(await find(a!.id, ['plain@example.com'], [])).toBeNull();
      expect(await find(a!.id, ['late@example.com'], [])).toBeNull();
      expect(await find(a!.id, [], [])).toBeNull();
      await uow.transaction((repos) => repos.invites.accept(byPhone.invite.id, crypto.randomUUID(), now));
      expect((await find(a!.id, ['jit@example.com'], ['+14155550100']))?.id).toBe(byEmail.invite.id);
    });

    it('keeps an idempotency answer per tenant and key until it expires; a save replaces an expired one', async () => {
      const { uow } = harness();
      const [a, b] = await uow.transaction(async (repos) => [
        await provisionTenant(repos, webCryptoRandom, { name: 'Idempotent A' }),
        await provisionTenant(repos, webCryptoRandom, { name: 'Idempotent B' }),
      ]);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const later = new Date(now.getTime() + 60_000);
      const answer = {
        requestHash: 'h1',
        status: 201,
        body: { id: 'x', roles: ['member'], nested: { n: 1 } },
      };
      await uow.transaction((repos) => repos.idempotency.save(a!.id, 'key-1', answer, later));
      expect(await uow.read((repos) => repos.idempotency.find(a!.id, 'key-1', now))).toEqual(answer);
      expect(await uow.read((repos) => repos.idempotency.find(b!.id, 'key-1', now))).toBeNull();
      expect(await uow.read((repos) => repos.idempotency.find(a!.id, 'key-2', now))).toBeNull();
      expect(await uow.read((repos) => repos.idempotency.find(a!.id, 'key-1', later))).toBeNull();
      const next = { requestHash: 'h2', status: 201, body: { id: 'y' } };
      const muchLater = new Date(later.getTime() + 60_000);
      await uow.transaction((repos) => repos.idempotency.save(a!.id, 'key-1', next, muchLater));
      expect(await uow.read((repos) => repos.idempotency.find(a!.id, 'key-1', later))).toEqual(next);
      // A unit of work that fails saves nothing.
      await expect(
        uow.transaction(async (repos) => {
          await repos.idempotency.save(b!.id, 'key-1', answer, later);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await uow.read((repos) => repos.idempotency.find(b!.id, 'key-1', now))).toBeNull();
    });

    it('accepts an invite once, in the unit of work (a failed one leaves it pending)', async () => {
      const { uow } = harness();
      const tenant = await uow.transaction((repos) =>
        provisionTenant(repos, webCryptoRandom, { name: 'Invites accepted' }),
      );
      const { invite } = await newInvite(tenant.id, { email: 'taker@example.com' });
      await uow.transaction((repos) => repos.invites.create(invite));
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      await expect(
        uow.transaction(async (repos) => {
          await repos.invites.accept(invite.id, crypto.randomUUID(), at);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      const find = () => uow.read((repos) => repos.invites.findByCodeHash(invite.codeHash));
      expect((await find())?.acceptedAt).toBeNull();
      await uow.transaction(async (repos) => {
        const locked = await repos.invites.findByCodeHash(invite.codeHash, { lock: true });
        expect(locked?.id).toBe(invite.id);
        await repos.invites.accept(invite.id, crypto.randomUUID(), at);
      });
      expect((await find())?.acceptedAt).toEqual(at);
      expect(await uow.read((repos) => repos.invites.hasPending(tenant.id, 'taker@example.com', at))).toBe(
        false,
      );
    });
  });
}
