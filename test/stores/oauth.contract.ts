// The store contract of social sign-in (#17): every OAuthStore must pass it through its store's unit of work.
import type { OAuthFlowRecord, OAuthSettingsRecord, UnitOfWork } from '@enforcer/core';
import { webCryptoRandom } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface OAuthStoreHarness {
  uow: UnitOfWork;
  /** A tenant (its id) flows and settings may belong to. */
  seedTenant(): Promise<string>;
}

export function oauthStoreContract(name: string, harness: () => OAuthStoreHarness) {
  describe(`OAuthStore contract (${name})`, () => {
    const at = new Date(Date.UTC(2031, 0, 1));
    const flow = (tenantId: string, overrides: Partial<OAuthFlowRecord> = {}): OAuthFlowRecord => ({
      id: webCryptoRandom.uuid(),
      tenantId,
      provider: 'corp',
      stateHash: `state-${webCryptoRandom.uuid()}`,
      codeVerifier: 'verifier',
      nonce: 'nonce',
      clientChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      redirectUri: 'https://app.example/cb',
      intent: 'sign_in',
      personId: null,
      expiresAt: new Date(at.getTime() + 600_000),
      stateSpentAt: null,
      codeHash: null,
      identity: null,
      codeExpiresAt: null,
      codeSpentAt: null,
      createdAt: at,
      ...overrides,
    });

    it('keeps settings per tenant, replaced as a whole; none until set', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const other = await seedTenant();
      const settings: OAuthSettingsRecord = {
        providers: [
          {
            name: 'corp',
            kind: 'oidc',
            issuer: 'https://login.example.com',
            clientId: 'c',
            clientSecretSealed: 'sealed',
            scopes: ['openid', 'email'],
            tokenEndpointAuth: 'client_secret_basic',
          },
        ],
        redirectUrls: ['https://app.example/cb'],
      };
      expect(await uow.read((repos) => repos.oauth.settings(tenantId))).toEqual({
        providers: [],
        redirectUrls: [],
      });
      const before = await uow.transaction((repos) => repos.oauth.setSettings(tenantId, settings, at));
      expect(before).toEqual({ providers: [], redirectUrls: [] });
      expect(await uow.read((repos) => repos.oauth.settings(tenantId))).toEqual(settings);
      expect(await uow.read((repos) => repos.oauth.settings(other))).toEqual({
        providers: [],
        redirectUrls: [],
      });
      const replaced = { providers: [], redirectUrls: ['https://app.example/other'] };
      expect(await uow.transaction((repos) => repos.oauth.setSettings(tenantId, replaced, at))).toEqual(
        settings,
      );
      expect(await uow.read((repos) => repos.oauth.settings(tenantId))).toEqual(replaced);
    });

    it('spends a state once and an exchange code once, answering the flow as it was', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const stored = flow(tenantId);
      await uow.transaction((repos) => repos.oauth.insertFlow(stored));
      await expect(
        uow.transaction((repos) =>
          repos.oauth.insertFlow({ ...flow(tenantId), stateHash: stored.stateHash }),
        ),
      ).rejects.toThrow();
      expect(await uow.transaction((repos) => repos.oauth.spendState('no-such-state', at))).toBeNull();
      const first = await uow.transaction((repos) => repos.oauth.spendState(stored.stateHash, at));
      expect(first).toEqual(stored);
      const second = await uow.transaction((repos) => repos.oauth.spendState(stored.stateHash, at));
      expect(second?.stateSpentAt).toEqual(at);

      const identity = {
        provider: 'oidc' as const,
        subject: 'https://login.example.com|u1',
        email: 'u1@example.com',
        emailVerified: true,
      };
      const codeExpiresAt = new Date(at.getTime() + 120_000);
      await uow.transaction((repos) =>
        repos.oauth.issueCode(stored.id, { codeHash: 'code-hash-1', identity, expiresAt: codeExpiresAt }),
      );
      const found = await uow.read((repos) => repos.oauth.findByCode('code-hash-1'));
      expect(found).toMatchObject({ id: stored.id, identity, codeExpiresAt, codeSpentAt: null });
      expect(
        (await uow.transaction((repos) => repos.oauth.spendCode('code-hash-1', at)))?.codeSpentAt,
      ).toBeNull();
      expect(
        (await uow.transaction((repos) => repos.oauth.spendCode('code-hash-1', at)))?.codeSpentAt,
      ).toEqual(at);
      expect(await uow.transaction((repos) => repos.oauth.spendCode('no-such-code', at))).toBeNull();
    });

    it("keeps the app's code challenge with the flow (null for a flow stored before the binding)", async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const bound = flow(tenantId);
      const unbound = flow(tenantId, { clientChallenge: null });
      await uow.transaction(async (repos) => {
        await repos.oauth.insertFlow(bound);
        await repos.oauth.insertFlow(unbound);
      });
      expect(
        (await uow.transaction((repos) => repos.oauth.spendState(bound.stateHash, at)))?.clientChallenge,
      ).toBe(bound.clientChallenge);
      expect(
        (await uow.transaction((repos) => repos.oauth.spendState(unbound.stateHash, at)))?.clientChallenge,
      ).toBeNull();
    });

    it('of concurrent spends of one state, exactly one sees it unspent', async () => {
      const { uow, seedTenant } = harness();
      const stored = flow(await seedTenant());
      await uow.transaction((repos) => repos.oauth.insertFlow(stored));
      const spends = await Promise.all(
        [1, 2, 3].map(() => uow.transaction((repos) => repos.oauth.spendState(stored.stateHash, at))),
      );
      expect(spends.filter((s) => s?.stateSpentAt === null)).toHaveLength(1);
    });

    it('a spend in a failed transaction leaves the state unspent', async () => {
      const { uow, seedTenant } = harness();
      const stored = flow(await seedTenant());
      await uow.transaction((repos) => repos.oauth.insertFlow(stored));
      await expect(
        uow.transaction(async (repos) => {
          await repos.oauth.spendState(stored.stateHash, at);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(
        (await uow.transaction((repos) => repos.oauth.spendState(stored.stateHash, at)))?.stateSpentAt,
      ).toBeNull();
    });
  });
}
