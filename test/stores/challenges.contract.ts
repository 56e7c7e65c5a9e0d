// The store contract of challenges (WebAuthn challenges, SIWE nonces, seen Google nonces): every
// ChallengeStore must pass it through its store's unit of work.
import { Challenges, type UnitOfWork, webCryptoRandom } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface ChallengeStoreHarness {
  uow: UnitOfWork;
  /** A tenant and a person challenges may be scoped to (their ids). */
  seedScope(): Promise<{ tenantId: string; personId: string }>;
}

export function challengeStoreContract(name: string, harness: () => ChallengeStoreHarness) {
  describe(`ChallengeStore contract (${name})`, () => {
    let now = new Date(Date.UTC(2031, 0, 1));
    const challenges = new Challenges({ clock: { now: () => now }, random: webCryptoRandom });

    it('spends a challenge once, only in the scope it was issued in', async () => {
      const { uow, seedScope } = harness();
      const { tenantId, personId } = await seedScope();
      const other = await seedScope();
      const issued = await uow.transaction((repos) =>
        challenges.issue(repos.challenges, {
          purpose: 'passkey_register',
          ttlSeconds: 300,
          encoding: 'base64url',
          tenantId,
          personId,
          data: { name: 'laptop' },
        }),
      );
      expect(issued.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const spend = (
        scope: { tenantId: string | null; personId?: string | null },
        purpose = 'passkey_register',
      ) =>
        uow.transaction((repos) =>
          challenges.consumeById(repos.challenges, issued.id, {
            purpose: purpose as 'passkey_register',
            ...scope,
          }),
        );
      expect(await spend({ tenantId: other.tenantId, personId })).toBeNull();
      expect(await spend({ tenantId, personId: other.personId })).toBeNull();
      expect(await spend({ tenantId, personId }, 'passkey_login')).toBeNull();
      const spent = await spend({ tenantId, personId });
      expect(spent).toMatchObject({ id: issued.id, tenantId, personId, data: { name: 'laptop' } });
      expect(spent?.consumedAt).toEqual(now);
      expect(await spend({ tenantId, personId })).toBeNull();
    });

    it('spends by value (a SIWE nonce) and refuses an expired one', async () => {
      const { uow, seedScope } = harness();
      const { tenantId } = await seedScope();
      const issue = () =>
        uow.transaction((repos) =>
          challenges.issue(repos.challenges, { purpose: 'siwe', ttlSeconds: 60, encoding: 'hex', tenantId }),
        );
      const spend = (value: string) =>
        uow.transaction((repos) =>
          challenges.consumeByValue(repos.challenges, value, { purpose: 'siwe', tenantId }),
        );
      const fresh = await issue();
      expect(fresh.value).toMatch(/^[0-9a-f]{64}$/);
      const stale = await issue();
      expect((await spend(fresh.value))?.id).toBe(fresh.id);
      now = new Date(now.getTime() + 61_000);
      expect(await spend(stale.value)).toBeNull();
    });

    it('records a nonce once; concurrent spends of one challenge: exactly one wins', async () => {
      const { uow, seedScope } = harness();
      const { tenantId } = await seedScope();
      const nonce = webCryptoRandom.uuid();
      const record = () =>
        uow.transaction((repos) =>
          challenges.recordOnce(repos.challenges, nonce, {
            purpose: 'google_nonce',
            tenantId,
            expiresAt: new Date(now.getTime() + 600_000),
          }),
        );
      expect(await record()).toBe(true);
      expect(await record()).toBe(false);

      const issued = await uow.transaction((repos) =>
        challenges.issue(repos.challenges, {
          purpose: 'passkey_login',
          ttlSeconds: 300,
          encoding: 'base64url',
          tenantId,
        }),
      );
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          uow.transaction((repos) =>
            challenges.consumeById(repos.challenges, issued.id, { purpose: 'passkey_login', tenantId }),
          ),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('a failed unit of work leaves its challenge behind neither issued nor spent', async () => {
      const { uow, seedScope } = harness();
      const { tenantId } = await seedScope();
      let value = '';
      await expect(
        uow.transaction(async (repos) => {
          value = (
            await challenges.issue(repos.challenges, {
              purpose: 'siwe',
              ttlSeconds: 60,
              encoding: 'hex',
              tenantId,
            })
          ).value;
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(
        await uow.transaction((repos) =>
          challenges.consumeByValue(repos.challenges, value, { purpose: 'siwe', tenantId }),
        ),
      ).toBeNull();
    });
  });
}
