// The store contract of magic links: every MagicLinkStore must pass it through its store's unit of work.
import {
  consumeMagicLink,
  issueMagicLink,
  MAGIC_LINK_MAX_REQUESTS,
  MAGIC_LINK_TTL_SECONDS,
  type UnitOfWork,
  webCryptoHashing,
  webCryptoRandom,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface MagicLinkStoreHarness {
  uow: UnitOfWork;
  /** A tenant (its id) links may be issued for. */
  seedTenant(): Promise<string>;
}

export function magicLinkStoreContract(name: string, harness: () => MagicLinkStoreHarness) {
  describe(`MagicLinkStore contract (${name})`, () => {
    let now = new Date(Date.UTC(2031, 0, 1));
    const deps = { clock: { now: () => now }, random: webCryptoRandom, hashing: webCryptoHashing };
    const email = () => `${webCryptoRandom.uuid()}@example.com`;

    it('spends a link once, only in its tenant; a new link supersedes the live one', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const other = await seedTenant();
      const alice = email();
      const issue = () => uow.transaction((repos) => issueMagicLink(repos, deps, { tenantId, email: alice }));
      const spend = (token: string, tenant = tenantId) =>
        uow.transaction((repos) => consumeMagicLink(repos, deps, token, tenant));
      const first = await issue();
      expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      now = new Date(now.getTime() + 1000);
      const second = await issue();
      expect(await spend(second.token, other)).toEqual({ ok: false, reason: 'invalid_token' });
      expect(await spend(first.token)).toEqual({ ok: false, reason: 'used_token' });
      expect(await spend(second.token)).toEqual({ ok: true, email: alice });
      expect(await spend(second.token)).toEqual({ ok: false, reason: 'used_token' });
      expect(await spend('no-such-token')).toEqual({ ok: false, reason: 'invalid_token' });
    });

    it('refuses an expired link, and a sixth link in the window', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const bob = email();
      const issue = () => uow.transaction((repos) => issueMagicLink(repos, deps, { tenantId, email: bob }));
      const links = [];
      for (let i = 0; i < MAGIC_LINK_MAX_REQUESTS; i += 1) {
        links.push(await issue());
        now = new Date(now.getTime() + 1000);
      }
      await expect(issue()).rejects.toMatchObject({ code: 'rate_limited' });
      now = new Date(now.getTime() + MAGIC_LINK_TTL_SECONDS * 1000);
      const last = links.at(-1)!;
      expect(await uow.transaction((repos) => consumeMagicLink(repos, deps, last.token, tenantId))).toEqual({
        ok: false,
        reason: 'expired_token',
      });
      // The window has passed: a new link is issued.
      expect((await issue()).token).toBeTruthy();
    });

    it('concurrent spends of one link: exactly one wins', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const link = await uow.transaction((repos) =>
        issueMagicLink(repos, deps, { tenantId, email: email() }),
      );
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          uow.transaction((repos) => consumeMagicLink(repos, deps, link.token, tenantId)),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });

    it('keeps redirect URLs per tenant, in order; a failed unit of work leaves links and URLs as they were', async () => {
      const { uow, seedTenant } = harness();
      const tenantId = await seedTenant();
      const other = await seedTenant();
      const urls = ['https://b.example/in', 'https://a.example/in'];
      expect(await uow.read((repos) => repos.magicLinks.redirectUrls(tenantId))).toEqual([]);
      expect(await uow.transaction((repos) => repos.magicLinks.setRedirectUrls(tenantId, urls, now))).toEqual(
        [],
      );
      expect(await uow.read((repos) => repos.magicLinks.redirectUrls(tenantId))).toEqual(urls);
      expect(await uow.read((repos) => repos.magicLinks.redirectUrls(other))).toEqual([]);

      let token = '';
      await expect(
        uow.transaction(async (repos) => {
          token = (await issueMagicLink(repos, deps, { tenantId, email: email() })).token;
          await repos.magicLinks.setRedirectUrls(tenantId, ['https://lost.example/'], now);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await uow.read((repos) => repos.magicLinks.redirectUrls(tenantId))).toEqual(urls);
      expect(await uow.transaction((repos) => consumeMagicLink(repos, deps, token, tenantId))).toEqual({
        ok: false,
        reason: 'invalid_token',
      });
    });
  });
}
