// The store contract of the KYC module (#16): every KycStore (memory, PostgreSQL) must pass it, through its
// store's unit of work: settings kept as given (sealed secrets opaque), sessions found by id and by page
// token, the newest session of an account, carried sessions, verifications per person, provider events
// recorded once, and nothing left behind by a failed unit of work.
import type { KycSessionRecord, KycSettingsRecord, UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface KycStoreHarness {
  uow: UnitOfWork;
  /** An account (with its person and tenant). */
  seedAccount(): Promise<{ tenantId: string; accountId: string; personId: string }>;
}

const second = (offset = 0) => new Date(Math.floor(Date.now() / 1000) * 1000 + offset * 1000);

const session = (
  owner: { tenantId: string; accountId: string; personId: string },
  fields: Partial<KycSessionRecord> = {},
): KycSessionRecord => ({
  id: crypto.randomUUID(),
  ...owner,
  provider: 'development',
  status: 'pending',
  tokenHash: null,
  basisSessionId: null,
  createdAt: second(),
  decidedAt: null,
  decisionEventAt: null,
  ...fields,
});

export function kycStoreContract(name: string, harness: () => KycStoreHarness): void {
  describe(`KycStore contract: ${name}`, () => {
    it('keeps settings as given and replaces them whole', async () => {
      const { uow, seedAccount } = harness();
      const { tenantId } = await seedAccount();
      const settings: KycSettingsRecord = {
        tenantId,
        enabled: true,
        provider: 'persona',
        group: 'verified',
        acceptOtherTenants: true,
        templateId: 'itmpl_1',
        environmentId: null,
        webhookSecretSealed: 'sealed-value',
        apiKeySealed: null,
        updatedAt: second(),
      };
      expect(await uow.read((r) => r.kyc.settings(tenantId))).toBeNull();
      await uow.transaction((r) => r.kyc.saveSettings(settings));
      expect(await uow.read((r) => r.kyc.settings(tenantId))).toEqual(settings);
      const next = {
        ...settings,
        enabled: false,
        provider: 'development' as const,
        webhookSecretSealed: null,
      };
      await uow.transaction((r) => r.kyc.saveSettings(next));
      expect(await uow.read((r) => r.kyc.settings(tenantId))).toEqual(next);
    });

    it('finds sessions by id and token hash; the newest of an account; status changes', async () => {
      const { uow, seedAccount } = harness();
      const owner = await seedAccount();
      const older = session(owner, { createdAt: second(-10), tokenHash: `hash-${crypto.randomUUID()}` });
      const newer = session(owner, { createdAt: second() });
      await uow.transaction(async (r) => {
        await r.kyc.insertSession(older);
        await r.kyc.insertSession(newer);
      });
      expect(await uow.read((r) => r.kyc.findSession(older.id))).toEqual(older);
      expect(await uow.read((r) => r.kyc.findSessionByTokenHash(older.tokenHash!))).toEqual(older);
      expect(await uow.read((r) => r.kyc.findSessionByTokenHash('no-such-hash'))).toBeNull();
      expect((await uow.read((r) => r.kyc.latestSession(owner.tenantId, owner.accountId)))?.id).toBe(
        newer.id,
      );
      const other = await seedAccount();
      expect(await uow.read((r) => r.kyc.latestSession(other.tenantId, other.accountId))).toBeNull();
      const at = second(5);
      const eventAt = second(2);
      await uow.transaction((r) => r.kyc.setSessionStatus(newer.id, 'approved', at, eventAt));
      expect(await uow.read((r) => r.kyc.findSession(newer.id))).toMatchObject({
        status: 'approved',
        decidedAt: at,
        decisionEventAt: eventAt,
      });
    });

    it('lists the approved sessions carried from one', async () => {
      const { uow, seedAccount } = harness();
      const basis = session(await seedAccount(), { status: 'approved' });
      const carried = session(await seedAccount(), {
        provider: 'carried',
        status: 'approved',
        basisSessionId: basis.id,
      });
      const ended = session(await seedAccount(), {
        provider: 'carried',
        status: 'expired',
        basisSessionId: basis.id,
      });
      await uow.transaction(async (r) => {
        for (const s of [basis, carried, ended]) await r.kyc.insertSession(s);
      });
      expect((await uow.transaction((r) => r.kyc.carriedFrom(basis.id))).map((s) => s.id)).toEqual([
        carried.id,
      ]);
    });

    it('keeps one verification per person, the last one saved', async () => {
      const { uow, seedAccount } = harness();
      const owner = await seedAccount();
      const first = {
        personId: owner.personId,
        status: 'approved' as const,
        sessionId: crypto.randomUUID(),
        tenantId: owner.tenantId,
        decidedAt: second(),
      };
      await uow.transaction((r) => r.kyc.saveVerification(first));
      const later = { ...first, status: 'expired' as const, decidedAt: second(60) };
      await uow.transaction((r) => r.kyc.saveVerification(later));
      expect(await uow.read((r) => r.kyc.verification(owner.personId))).toEqual(later);
    });

    it('records a provider event once per tenant, even when deliveries race', async () => {
      const { uow, seedAccount } = harness();
      const a = await seedAccount();
      const b = await seedAccount();
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          uow.transaction((r) => r.kyc.recordEvent(a.tenantId, 'persona', 'evt_1', second())),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      // Another tenant's event of the same id is its own.
      expect(await uow.transaction((r) => r.kyc.recordEvent(b.tenantId, 'persona', 'evt_1', second()))).toBe(
        true,
      );
      expect(
        await uow.transaction((r) => r.kyc.recordEvent(a.tenantId, 'development', 'evt_1', second())),
      ).toBe(true);
    });

    it('leaves nothing behind when the unit of work fails', async () => {
      const { uow, seedAccount } = harness();
      const owner = await seedAccount();
      const s = session(owner);
      await expect(
        uow.transaction(async (r) => {
          await r.kyc.insertSession(s);
          await r.kyc.recordEvent(owner.tenantId, 'persona', 'evt_rollback', second());
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await uow.read((r) => r.kyc.findSession(s.id))).toBeNull();
      expect(
        await uow.transaction((r) => r.kyc.recordEvent(owner.tenantId, 'persona', 'evt_rollback', second())),
      ).toBe(true);
    });
  });
}
