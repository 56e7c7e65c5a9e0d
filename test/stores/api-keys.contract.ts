// The store contract of API keys: every ApiKeyStore (memory, PostgreSQL) must pass it, through its
// store's unit of work, so a store that passes behaves the same under the server and under the mock.
import { defaultPolicy } from '@enforcer/contract';
import { compile } from '@enforcer/contract/policy';
import {
  type ApiKeyRecord,
  type Clock,
  hashApiKey,
  newApiKey,
  type UnitOfWork,
  webCryptoHashing,
  webCryptoRandom,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface ApiKeyStoreHarness {
  uow: UnitOfWork;
  /** A tenant that keys may belong to (its id). */
  seedTenant(): Promise<string>;
}

const clock: Clock = { now: () => new Date() };

async function newKey(tenantId: string, fields: Partial<ApiKeyRecord> = {}) {
  const key = newApiKey(webCryptoRandom);
  const record: ApiKeyRecord = {
    id: webCryptoRandom.uuid(),
    tenantId,
    name: 'ci',
    prefix: key.slice(0, 12),
    keyHash: await hashApiKey(webCryptoHashing, key),
    role: 'admin',
    createdBy: null,
    createdAt: new Date(Math.floor(clock.now().getTime() / 1000) * 1000),
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    ...fields,
  };
  return { key, record };
}

/** What `api_keys.read` on `api_key` lets an admin of the tenant see (the default policy: all of its keys). */
const adminPlan = (tenantId: string) =>
  compile(defaultPolicy()).plan(
    { id: webCryptoRandom.uuid(), tenant_id: tenantId, roles: ['admin'], groups: [] },
    'api_keys.read',
    'api_key',
  );

export function apiKeyStoreContract(name: string, harness: () => ApiKeyStoreHarness): void {
  describe(`ApiKeyStore contract: ${name}`, () => {
    it('hashes a key to the hex SHA-256 stored before the move (existing keys still authenticate)', async () => {
      const { createHash } = await import('node:crypto');
      const key = newApiKey(webCryptoRandom);
      expect(key).toMatch(/^enf_[A-Za-z0-9_-]{43}$/);
      expect(await hashApiKey(webCryptoHashing, key)).toBe(createHash('sha256').update(key).digest('hex'));
    });

    it('finds a key by hash and, while live, by tenant and id', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const other = await seedTenant();
      const { record } = await newKey(tenantId);
      await uow.transaction((repos) => repos.apiKeys.insert(record));
      await uow.read(async (repos) => {
        expect(await repos.apiKeys.findByHash(record.keyHash)).toEqual(record);
        expect(await repos.apiKeys.findLive(tenantId, record.id)).toEqual(record);
        expect(await repos.apiKeys.findLive(other, record.id)).toBeNull();
        expect(await repos.apiKeys.findByHash('0'.repeat(64))).toBeNull();
      });
    });

    it('refuses a second key with the same hash, and the failed transaction leaves nothing behind', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const { record } = await newKey(tenantId);
      await uow.transaction((repos) => repos.apiKeys.insert(record));
      const twin = { ...record, id: webCryptoRandom.uuid(), name: 'twin' };
      await expect(uow.transaction((repos) => repos.apiKeys.insert(twin))).rejects.toThrow();
      const { record: lost } = await newKey(tenantId);
      await expect(
        uow.transaction(async (repos) => {
          await repos.apiKeys.insert(lost);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await uow.read(async (repos) => {
        expect(await repos.apiKeys.findLive(tenantId, twin.id)).toBeNull();
        expect(await repos.apiKeys.findByHash(lost.keyHash)).toBeNull();
        expect(await repos.apiKeys.findLive(tenantId, lost.id)).toBeNull();
      });
    });

    it('revokes: the key leaves lists and live lookups, and stays findable by hash (authentication refuses it)', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const { record } = await newKey(tenantId);
      await uow.transaction((repos) => repos.apiKeys.insert(record));
      const at = new Date(record.createdAt.getTime() + 5000);
      await uow.transaction((repos) => repos.apiKeys.revoke(record.id, at));
      await uow.read(async (repos) => {
        expect(await repos.apiKeys.findLive(tenantId, record.id)).toBeNull();
        expect((await repos.apiKeys.findByHash(record.keyHash))?.revokedAt).toEqual(at);
        const page = await repos.apiKeys.list(tenantId, {
          after: undefined,
          limit: 10,
          visible: adminPlan(tenantId),
        });
        expect(page).toEqual([]);
      });
    });

    it('records a use', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const { record } = await newKey(tenantId);
      await uow.transaction((repos) => repos.apiKeys.insert(record));
      const at = new Date(record.createdAt.getTime() + 61_000);
      await uow.transaction((repos) => repos.apiKeys.touch(record.id, at));
      expect((await uow.read((repos) => repos.apiKeys.findByHash(record.keyHash)))?.lastUsedAt).toEqual(at);
    });

    it("lists one tenant's live keys oldest first (ties by id), page by page, as the plan allows", async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const other = await seedTenant();
      const base = Date.UTC(2031, 0, 1);
      const creator = webCryptoRandom.uuid();
      const records: ApiKeyRecord[] = [];
      for (const [i, offset] of [3, 1, 2, 2, 0].entries()) {
        records.push(
          (
            await newKey(tenantId, {
              createdAt: new Date(base + offset * 1000),
              createdBy: i % 2 ? creator : null,
            })
          ).record,
        );
      }
      await uow.transaction(async (repos) => {
        for (const record of records) await repos.apiKeys.insert(record);
        await repos.apiKeys.insert((await newKey(other, { createdAt: new Date(base) })).record);
      });
      const expected = [...records]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
        .map((r) => r.id);
      const visible = adminPlan(tenantId);
      const first = await uow.read((repos) =>
        repos.apiKeys.list(tenantId, { after: undefined, limit: 3, visible }),
      );
      expect(first.map((r) => r.id)).toEqual(expected.slice(0, 3));
      const rest = await uow.read((repos) =>
        repos.apiKeys.list(tenantId, { after: first.at(-1), limit: 3, visible }),
      );
      expect(rest.map((r) => r.id)).toEqual(expected.slice(3));

      // A plan with a condition (only the keys `creator` made) narrows the list the same way on every store.
      const policy = defaultPolicy();
      policy.rules = [
        ...(policy.rules ?? []),
        {
          id: 'auditors-read-their-own-keys',
          effect: 'allow',
          actions: ['api_keys.read'],
          resource: 'api_key',
          condition: { eq: ['resource.created_by', { ref: 'subject.id' }] },
        },
      ];
      const mine = compile(policy).plan(
        { id: creator, tenant_id: tenantId, roles: ['member'], groups: [] },
        'api_keys.read',
        'api_key',
      );
      const theirs = await uow.read((repos) =>
        repos.apiKeys.list(tenantId, { after: undefined, limit: 10, visible: mine }),
      );
      expect(theirs.map((r) => r.id)).toEqual(
        expected.filter((id) => records.find((r) => r.id === id)!.createdBy),
      );
    });
  });
}
