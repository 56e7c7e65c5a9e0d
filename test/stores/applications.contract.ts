// The store contract of applications (machine clients, #18): every ApplicationStore (memory, PostgreSQL)
// must pass it, through its store's unit of work, so the server and the mock keep applications alike.
import {
  type ApplicationRecord,
  hashClientSecret,
  newClientId,
  newClientSecret,
  type UnitOfWork,
  webCryptoHashing,
  webCryptoRandom,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface ApplicationStoreHarness {
  uow: UnitOfWork;
  /** A tenant that applications may belong to (its id). */
  seedTenant(): Promise<string>;
}

const second = (offset = 0) => new Date(Math.floor(Date.now() / 1000) * 1000 + offset * 1000);

async function newApp(tenantId: string, fields: Partial<ApplicationRecord> = {}): Promise<ApplicationRecord> {
  const secret = newClientSecret(webCryptoRandom);
  return {
    id: webCryptoRandom.uuid(),
    tenantId,
    name: 'billing',
    description: null,
    clientId: newClientId(webCryptoRandom),
    authMethod: 'client_secret_basic',
    secretPrefix: secret.slice(0, 15),
    secretHash: await hashClientSecret(webCryptoHashing, secret),
    jwks: null,
    jwksUri: null,
    scopes: ['reports.read', 'invoices.create'],
    createdBy: null,
    createdAt: second(),
    updatedAt: second(),
    secretRotatedAt: second(),
    lastUsedAt: null,
    ...fields,
  };
}

export function applicationStoreContract(name: string, harness: () => ApplicationStoreHarness): void {
  describe(`ApplicationStore contract: ${name}`, () => {
    it('finds an application by tenant and id, and by client id whatever the tenant', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const otherTenant = await seedTenant();
      const app = await newApp(tenantId, { description: 'pays invoices' });
      await uow.transaction((repos) => repos.applications.insert(app));
      await uow.read(async (repos) => {
        expect(await repos.applications.find(tenantId, app.id)).toEqual(app);
        expect(await repos.applications.find(otherTenant, app.id)).toBeNull();
        expect(await repos.applications.findByClientId(app.clientId)).toEqual(app);
        expect(await repos.applications.findByClientId('enfapp_unknown')).toBeNull();
      });
    });

    it('refuses a duplicate client id, and leaves nothing of the failed unit behind', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const app = await newApp(tenantId);
      await uow.transaction((repos) => repos.applications.insert(app));
      const clash = await newApp(tenantId, { clientId: app.clientId });
      const other = await newApp(tenantId);
      await expect(
        uow.transaction(async (repos) => {
          await repos.applications.insert(other);
          await repos.applications.insert(clash);
        }),
      ).rejects.toThrow();
      await uow.read(async (repos) => {
        expect(await repos.applications.find(tenantId, other.id)).toBeNull();
        expect(await repos.applications.find(tenantId, clash.id)).toBeNull();
      });
    });

    it("lists a tenant's applications in page order, after a position, at most `limit`", async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const otherTenant = await seedTenant();
      const apps = await Promise.all([0, 1, 2].map((i) => newApp(tenantId, { createdAt: second(i) })));
      await uow.transaction(async (repos) => {
        for (const app of [...apps].reverse()) await repos.applications.insert(app);
        await repos.applications.insert(await newApp(otherTenant));
      });
      await uow.read(async (repos) => {
        const all = await repos.applications.list(tenantId, { after: undefined, limit: 10 });
        expect(all.map((a) => a.id)).toEqual(apps.map((a) => a.id));
        const page = await repos.applications.list(tenantId, { after: apps[0], limit: 1 });
        expect(page.map((a) => a.id)).toEqual([apps[1]!.id]);
      });
    });

    it('updates name, description, scopes and the secret; touch records the last use; delete removes it', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const app = await newApp(tenantId);
      await uow.transaction((repos) => repos.applications.insert(app));
      const secret = newClientSecret(webCryptoRandom);
      const changed: ApplicationRecord = {
        ...app,
        name: 'billing v2',
        description: 'now with refunds',
        scopes: ['refunds.create'],
        secretHash: await hashClientSecret(webCryptoHashing, secret),
        secretPrefix: secret.slice(0, 15),
        secretRotatedAt: second(5),
        updatedAt: second(5),
      };
      await uow.transaction((repos) => repos.applications.update(changed));
      await uow.transaction((repos) => repos.applications.touch(app.id, second(6)));
      await uow.read(async (repos) => {
        expect(await repos.applications.find(tenantId, app.id)).toEqual({
          ...changed,
          lastUsedAt: second(6),
        });
      });
      await uow.transaction((repos) => repos.applications.delete(app.id));
      await uow.read(async (repos) => {
        expect(await repos.applications.find(tenantId, app.id)).toBeNull();
        expect(await repos.applications.findByClientId(app.clientId)).toBeNull();
      });
    });

    it('remembers a revoked client token until it expires; revoking twice is no error', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const app = await newApp(tenantId);
      await uow.transaction((repos) => repos.applications.insert(app));
      const jti = webCryptoRandom.uuid();
      const token = { jti, tenantId, applicationId: app.id, expiresAt: second(60) };
      await uow.transaction(async (repos) => {
        await repos.applications.revokeToken(token);
        await repos.applications.revokeToken(token);
      });
      await uow.read(async (repos) => {
        expect(await repos.applications.isTokenRevoked(jti, second())).toBe(true);
        expect(await repos.applications.isTokenRevoked(jti, second(61))).toBe(false);
        expect(await repos.applications.isTokenRevoked('other', second())).toBe(false);
      });
    });

    it('keeps an application with keys and no secret; several such applications coexist', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const keyed = (x: string) =>
        newApp(tenantId, {
          authMethod: 'private_key_jwt',
          secretHash: null,
          secretPrefix: null,
          jwks: [{ kty: 'EC', crv: 'P-256', x, y: 'y-coordinate', kid: 'k1', use: 'sig' }],
        });
      const one = await keyed('first');
      const two = await keyed('second');
      await uow.transaction(async (repos) => {
        await repos.applications.insert(one);
        await repos.applications.insert(two);
      });
      const rolled = {
        ...one,
        jwks: [{ kty: 'OKP' as const, crv: 'Ed25519' as const, x: 'new', kid: 'k2' }],
      };
      await uow.transaction((repos) => repos.applications.update(rolled));
      await uow.read(async (repos) => {
        expect(await repos.applications.findByClientId(two.clientId)).toEqual(two);
        expect(await repos.applications.find(tenantId, one.id)).toEqual(rolled);
      });
      // Keys at a URL instead (jwks_uri), and back to inline keys: exactly one of the two is kept.
      const atUrl = { ...rolled, jwks: null, jwksUri: 'https://keys.example.com/jwks.json' };
      await uow.transaction((repos) => repos.applications.update(atUrl));
      expect(await uow.read((repos) => repos.applications.find(tenantId, one.id))).toEqual(atUrl);
      const fromUrl = await newApp(tenantId, {
        authMethod: 'private_key_jwt',
        secretHash: null,
        secretPrefix: null,
        jwksUri: 'https://keys.example.com/other.json',
      });
      await uow.transaction((repos) => repos.applications.insert(fromUrl));
      expect(await uow.read((repos) => repos.applications.findByClientId(fromUrl.clientId))).toEqual(fromUrl);
    });

    it("uses a client assertion's jti once per application, until it expires", async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const app = await newApp(tenantId);
      const other = await newApp(tenantId);
      await uow.transaction(async (repos) => {
        await repos.applications.insert(app);
        await repos.applications.insert(other);
      });
      const use = (applicationId: string, jti: string, now: Date) =>
        uow.transaction((repos) =>
          repos.applications.useClientAssertion({ applicationId, jti, expiresAt: second(60) }, now),
        );
      expect(await use(app.id, 'jti-1', second())).toBe(true);
      expect(await use(app.id, 'jti-1', second(30))).toBe(false);
      // Another application's jti space is its own.
      expect(await use(other.id, 'jti-1', second())).toBe(true);
      expect(await use(app.id, 'jti-2', second())).toBe(true);
      // Once expired, the record may go: the assertion itself is refused by its exp by then.
      expect(await use(app.id, 'jti-1', second(61))).toBe(true);
      // Two at once: one wins.
      const racers = await Promise.all([use(app.id, 'jti-3', second()), use(app.id, 'jti-3', second())]);
      expect(racers.sort()).toEqual([false, true]);
    });
  });
}
