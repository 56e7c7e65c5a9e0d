// The store contract of one-time code challenges: every OtpChallengeStore (memory, PostgreSQL) must pass
// it. Rules run through the core's OtpService, so a store that passes behaves the same under the server
// and under the mock.
import {
  type Clock,
  OTP_TTL_SECONDS,
  type OtpChallengeRecord,
  type OtpChallengeStore,
  type OtpIssue,
  type OtpScope,
  OtpService,
  webCryptoRandom,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface OtpChallengeStoreHarness {
  store: OtpChallengeStore;
  /** A tenant that challenges may reference (its id). */
  seedTenant(): Promise<string>;
}

class TestClock implements Clock {
  #ms = Date.UTC(2030, 0, 1);
  now = () => new Date(this.#ms);
  advance(seconds: number) {
    this.#ms += seconds * 1000;
  }
}

const issued = (result: OtpIssue) => {
  if (!result.ok) throw new Error(`refused: ${result.code} (${result.detail})`);
  return result.value;
};
const outcome = (result: { ok: true } | { ok: false; code: string; reason: string }) =>
  result.ok ? 'accepted' : `${result.code}/${result.reason}`;
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

let addresses = 0;
const uniqueAddress = () => `otp-${Date.now()}-${++addresses}@example.com`;

export function otpChallengeStoreContract(name: string, harness: () => OtpChallengeStoreHarness): void {
  describe(`OtpChallengeStore contract: ${name}`, () => {
    const setup = async () => {
      const { store, seedTenant } = harness();
      const clock = new TestClock();
      const service = new OtpService({
        store,
        clock,
        random: webCryptoRandom,
        codeKey: webCryptoRandom.bytes(32),
      });
      const tenantId = await seedTenant();
      const scope: OtpScope = { address: uniqueAddress(), tenantId, purpose: 'login' };
      return { store, clock, service, scope, seedTenant };
    };

    it('stores only a keyed hash and finds the challenge by id', async () => {
      const { store, service, scope, clock } = await setup();
      const { id, code, expiresAt } = issued(await service.issue(scope));
      expect(code).toMatch(/^\d{6}$/);
      const row = await store.find(id);
      expect(row).toMatchObject({
        ...scope,
        id,
        attempts: 0,
        consumedAt: null,
        expiresAt,
        createdAt: clock.now(),
      });
      expect(row!.codeHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(row!.codeHash).not.toContain(code);
      expect(expiresAt.getTime() - clock.now().getTime()).toBe(OTP_TTL_SECONDS * 1000);
      expect(await store.find(crypto.randomUUID())).toBeNull();
    });

    it('accepts a code once', async () => {
      const { store, service, scope, clock } = await setup();
      const { id, code } = issued(await service.issue(scope));
      expect(outcome(await service.verify(scope, code))).toBe('accepted');
      expect((await store.find(id))?.consumedAt).toEqual(clock.now());
      expect(outcome(await service.verify(scope, code))).toBe('invalid_otp/no_live_code');
    });

    it('lets a code expire after ten minutes', async () => {
      const { service, scope, clock } = await setup();
      const first = issued(await service.issue(scope));
      clock.advance(OTP_TTL_SECONDS - 1);
      expect(outcome(await service.verify(scope, first.code))).toBe('accepted');
      const second = issued(await service.issue(scope));
      clock.advance(OTP_TTL_SECONDS);
      expect(outcome(await service.verify(scope, second.code))).toBe('invalid_otp/no_live_code');
    });

    it('never matches another address, tenant or purpose', async () => {
      const { store, service, scope, seedTenant } = await setup();
      const { id, code } = issued(await service.issue(scope));
      const others: OtpScope[] = [
        { ...scope, address: uniqueAddress() },
        { ...scope, tenantId: await seedTenant() },
        { ...scope, tenantId: null },
        { ...scope, purpose: 'password_reset' },
        { ...scope, purpose: 'verify_email', tenantId: null },
      ];
      for (const other of others) {
        expect(outcome(await service.verify(other, code))).toBe('invalid_otp/no_live_code');
      }
      // Nothing was counted against the real scope, and a code of another scope is a challenge of its own.
      expect((await store.find(id))?.attempts).toBe(0);
      const elsewhere = issued(await service.issue(others[1]!));
      expect(outcome(await service.verify(scope, elsewhere.code))).toMatch(/^accepted$|wrong_code$/);
      expect(outcome(await service.verify(others[1]!, elsewhere.code))).toBe('accepted');
    });

    it('counts wrong codes, burns the fifth, and carries the count over to new requests', async () => {
      const { store, service, scope, clock } = await setup();
      const first = issued(await service.issue(scope));
      for (let i = 1; i <= 3; i++) {
        expect(outcome(await service.verify(scope, otherThan(first.code)))).toBe('invalid_otp/wrong_code');
      }
      expect((await store.find(first.id))?.attempts).toBe(3);
      // A new request supersedes the first code and keeps its three wrong tries.
      const second = issued(await service.issue(scope));
      expect((await store.find(first.id))?.consumedAt).not.toBeNull();
      expect((await store.find(second.id))?.attempts).toBe(3);
      expect(outcome(await service.verify(scope, first.code))).toMatch(/wrong_code$/);
      const burnt = await service.verify(scope, otherThan(second.code));
      expect(outcome(burnt)).toBe('otp_attempts_exceeded/wrong_code_burnt');
      expect(!burnt.ok && burnt.retryAfterSeconds).toBe(OTP_TTL_SECONDS);
      // Burnt: the right code fails and no new code is issued until the burnt one expires.
      clock.advance(60);
      const refused = await service.verify(scope, second.code);
      expect(outcome(refused)).toBe('otp_attempts_exceeded/attempts_exceeded');
      expect(!refused.ok && refused.retryAfterSeconds).toBe(OTP_TTL_SECONDS - 60);
      const reissue = await service.issue(scope);
      expect(reissue.ok ? 'issued' : reissue.code).toBe('otp_attempts_exceeded');
      expect((await store.find(second.id))?.attempts).toBe(5);
      clock.advance(OTP_TTL_SECONDS);
      const fresh = issued(await service.issue(scope));
      expect((await store.find(fresh.id))?.attempts).toBe(0);
      expect(outcome(await service.verify(scope, fresh.code))).toBe('accepted');
    });

    it('of simultaneous uses of one code, exactly one succeeds', async () => {
      const { service, scope } = await setup();
      const { code } = issued(await service.issue(scope));
      const results = await Promise.all(Array.from({ length: 4 }, () => service.verify(scope, code)));
      expect(results.map(outcome).sort()).toEqual([
        'accepted',
        'invalid_otp/no_live_code',
        'invalid_otp/no_live_code',
        'invalid_otp/no_live_code',
      ]);
    });

    it('counts every one of simultaneous wrong codes', async () => {
      const { store, service, scope } = await setup();
      const { id, code } = issued(await service.issue(scope));
      const results = await Promise.all(
        Array.from({ length: 5 }, () => service.verify(scope, otherThan(code))),
      );
      expect(results.map(outcome).sort()).toEqual([
        'invalid_otp/wrong_code',
        'invalid_otp/wrong_code',
        'invalid_otp/wrong_code',
        'invalid_otp/wrong_code',
        'otp_attempts_exceeded/wrong_code_burnt',
      ]);
      expect((await store.find(id))?.attempts).toBe(5);
    });

    it('of simultaneous requests, one code stays live', async () => {
      const { service, scope } = await setup();
      const codes = (await Promise.all(Array.from({ length: 3 }, () => service.issue(scope)))).map(
        (result) => issued(result).code,
      );
      const results = await Promise.all(codes.map((code) => service.verify(scope, code)));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
    });

    it('keeps nothing of a transaction whose work throws', async () => {
      const { store, service, scope, clock } = await setup();
      const { id } = issued(await service.issue(scope));
      const extra: OtpChallengeRecord = {
        ...scope,
        id: crypto.randomUUID(),
        codeHash: 'x'.repeat(43),
        expiresAt: new Date(clock.now().getTime() + 60_000),
        attempts: 0,
        consumedAt: null,
        createdAt: clock.now(),
      };
      await expect(
        store.withScope(scope, async (challenges) => {
          await challenges.countWrongAttempt(id);
          await challenges.consume(id, clock.now());
          await challenges.insert(extra);
          expect((await challenges.live(clock.now())).map((row) => row.id)).toEqual([extra.id]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await store.find(extra.id)).toBeNull();
      expect(await store.find(id)).toMatchObject({ attempts: 0, consumedAt: null });
    });

    it('refuses to write a challenge of another scope', async () => {
      const { store, scope, clock } = await setup();
      const foreign: OtpChallengeRecord = {
        ...scope,
        address: uniqueAddress(),
        id: crypto.randomUUID(),
        codeHash: 'x'.repeat(43),
        expiresAt: new Date(clock.now().getTime() + 60_000),
        attempts: 0,
        consumedAt: null,
        createdAt: clock.now(),
      };
      await expect(store.withScope(scope, (challenges) => challenges.insert(foreign))).rejects.toThrow();
      expect(await store.find(foreign.id)).toBeNull();
    });
  });
}
