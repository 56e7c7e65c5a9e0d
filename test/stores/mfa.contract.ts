// The store contract of second factors (TOTP authenticators, recovery codes, sign-in challenges): every
// MfaStore must pass it through its store's unit of work.
import type { MfaChallengeRecord, RecoveryCodeRecord, TotpFactorRecord, UnitOfWork } from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface MfaStoreHarness {
  uow: UnitOfWork;
  /** An account, its person and its tenant (their ids). */
  seedAccount(): Promise<{ accountId: string; personId: string; tenantId: string }>;
}

const at = (ms: number) => new Date(Date.UTC(2031, 0, 1) + ms);

const totp = (personId: string, changes: Partial<TotpFactorRecord> = {}): TotpFactorRecord => ({
  id: crypto.randomUUID(),
  personId,
  secretSealed: `sealed-${crypto.randomUUID()}`,
  lastUsedStep: null,
  createdAt: at(0),
  enabledAt: null,
  ...changes,
});

const codes = (personId: string, count = 3): RecoveryCodeRecord[] =>
  Array.from({ length: count }, () => ({
    id: crypto.randomUUID(),
    personId,
    codeHash: `hash-${crypto.randomUUID()}`,
    usedAt: null,
    createdAt: at(0),
  }));

const challenge = (
  seeded: { accountId: string; personId: string; tenantId: string },
  changes: Partial<MfaChallengeRecord> = {},
): MfaChallengeRecord => ({
  id: crypto.randomUUID(),
  tokenHash: `token-${crypto.randomUUID()}`,
  ...seeded,
  provider: 'password',
  amr: ['pwd'],
  attempts: 0,
  ip: '203.0.113.7',
  userAgent: 'test',
  createdAt: at(0),
  expiresAt: at(300_000),
  consumedAt: null,
  ...changes,
});

export function mfaStoreContract(name: string, harness: () => MfaStoreHarness) {
  describe(`MfaStore contract (${name})`, () => {
    it('keeps one authenticator per person: saving again replaces it; deleting removes it and the codes', async () => {
      const { uow, seedAccount } = harness();
      const { personId } = await seedAccount();
      const other = await seedAccount();
      expect(await uow.read((repos) => repos.mfa.findTotp(personId))).toBeNull();
      const first = totp(personId);
      await uow.transaction(async (repos) => {
        await repos.mfa.lock(personId);
        await repos.mfa.saveTotp(first);
        await repos.mfa.saveTotp(totp(other.personId));
      });
      expect(await uow.read((repos) => repos.mfa.findTotp(personId))).toEqual(first);
      const enabled = {
        ...first,
        secretSealed: 'sealed-again',
        enabledAt: at(1000),
        lastUsedStep: 65_000_000,
      };
      await uow.transaction((repos) => repos.mfa.saveTotp(enabled));
      expect(await uow.read((repos) => repos.mfa.findTotp(personId))).toEqual(enabled);

      await uow.transaction((repos) => repos.mfa.replaceRecoveryCodes(personId, codes(personId)));
      expect(await uow.transaction((repos) => repos.mfa.deleteFactors(personId))).toBe(true);
      expect(await uow.transaction((repos) => repos.mfa.deleteFactors(personId))).toBe(false);
      expect(await uow.read((repos) => repos.mfa.findTotp(personId))).toBeNull();
      expect(await uow.read((repos) => repos.mfa.recoveryCodesLeft(personId))).toBe(0);
      expect(await uow.read((repos) => repos.mfa.findTotp(other.personId))).not.toBeNull();
    });

    it('spends a recovery code once, only for its person; a new set replaces the old one', async () => {
      const { uow, seedAccount } = harness();
      const { personId } = await seedAccount();
      const other = await seedAccount();
      const set = codes(personId);
      await uow.transaction(async (repos) => {
        await repos.mfa.replaceRecoveryCodes(personId, set);
        await repos.mfa.replaceRecoveryCodes(other.personId, codes(other.personId));
      });
      const spend = (person: string, hash: string) =>
        uow.transaction((repos) => repos.mfa.spendRecoveryCode(person, hash, at(5000)));
      expect(await uow.read((repos) => repos.mfa.recoveryCodesLeft(personId))).toBe(3);
      expect(await spend(other.personId, set[0]!.codeHash)).toBe(false);
      expect(await spend(personId, 'hash-unknown')).toBe(false);
      expect(await spend(personId, set[0]!.codeHash)).toBe(true);
      expect(await spend(personId, set[0]!.codeHash)).toBe(false);
      expect(await uow.read((repos) => repos.mfa.recoveryCodesLeft(personId))).toBe(2);
      expect(await uow.read((repos) => repos.mfa.recoveryCodesLeft(other.personId))).toBe(3);

      const fresh = codes(personId, 10);
      await uow.transaction((repos) => repos.mfa.replaceRecoveryCodes(personId, fresh));
      expect(await spend(personId, set[1]!.codeHash)).toBe(false);
      expect(await uow.read((repos) => repos.mfa.recoveryCodesLeft(personId))).toBe(10);
    });

    it('of concurrent spends of one recovery code exactly one wins', async () => {
      const { uow, seedAccount } = harness();
      const { personId } = await seedAccount();
      const [code] = codes(personId, 1);
      await uow.transaction((repos) => repos.mfa.replaceRecoveryCodes(personId, [code!]));
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          uow.transaction((repos) => repos.mfa.spendRecoveryCode(personId, code!.codeHash, at(1))),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('finds a challenge by its token hash and records attempts and its use', async () => {
      const { uow, seedAccount } = harness();
      const seeded = await seedAccount();
      const record = challenge(seeded);
      await uow.transaction((repos) => repos.mfa.insertChallenge(record));
      expect(await uow.read((repos) => repos.mfa.findChallenge('token-unknown'))).toBeNull();
      expect(await uow.transaction((repos) => repos.mfa.findChallenge(record.tokenHash))).toEqual(record);
      await uow.transaction(async (repos) => {
        const found = await repos.mfa.findChallenge(record.tokenHash);
        await repos.mfa.updateChallenge(found!.id, { attempts: found!.attempts + 1 });
      });
      await uow.transaction((repos) => repos.mfa.updateChallenge(record.id, { consumedAt: at(2000) }));
      expect(await uow.transaction((repos) => repos.mfa.findChallenge(record.tokenHash))).toEqual({
        ...record,
        attempts: 1,
        consumedAt: at(2000),
      });
    });

    it('counts every attempt of concurrent verifications of one challenge (the challenge is locked)', async () => {
      const { uow, seedAccount } = harness();
      const record = challenge(await seedAccount());
      await uow.transaction((repos) => repos.mfa.insertChallenge(record));
      await Promise.all(
        Array.from({ length: 4 }, () =>
          uow.transaction(async (repos) => {
            const found = await repos.mfa.findChallenge(record.tokenHash);
            await repos.mfa.updateChallenge(found!.id, { attempts: found!.attempts + 1 });
          }),
        ),
      );
      expect((await uow.read((repos) => repos.mfa.findChallenge(record.tokenHash)))?.attempts).toBe(4);
    });

    it('a failed unit of work leaves nothing behind', async () => {
      const { uow, seedAccount } = harness();
      const seeded = await seedAccount();
      const { personId } = seeded;
      const kept = codes(personId);
      await uow.transaction((repos) => repos.mfa.replaceRecoveryCodes(personId, kept));
      const record = challenge(seeded);
      await expect(
        uow.transaction(async (repos) => {
          await repos.mfa.saveTotp(totp(personId));
          await repos.mfa.replaceRecoveryCodes(personId, codes(personId, 10));
          await repos.mfa.spendRecoveryCode(personId, kept[0]!.codeHash, at(1));
          await repos.mfa.insertChallenge(record);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await uow.read((repos) => repos.mfa.findTotp(personId))).toBeNull();
      expect(await uow.read((repos) => repos.mfa.recoveryCodesLeft(personId))).toBe(3);
      expect(await uow.read((repos) => repos.mfa.findChallenge(record.tokenHash))).toBeNull();
    });
  });
}
