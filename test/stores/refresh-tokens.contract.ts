// The store contract of sessions and refresh tokens: every SessionStore (memory, PostgreSQL) must pass
// it. Rules run through the core's RefreshTokenService, so a store that passes behaves the same under
// the server and under the mock.
import {
  type Clock,
  type RefreshTokenRecord,
  RefreshTokenService,
  type Result,
  type ReuseEvent,
  type SessionRecord,
  type SessionStore,
  webCryptoHashing,
  webCryptoRandom,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface SessionStoreHarness {
  store: SessionStore;
  /** An account (with its person and tenant) that sessions may reference. */
  seedAccount(): Promise<{ accountId: string; personId: string; tenantId: string }>;
}

const DAY = 86_400;
export const IDLE = 14 * DAY;
export const ABSOLUTE = 30 * DAY;
export const GRACE = 10;

class TestClock implements Clock {
  #ms = Date.UTC(2030, 0, 1);
  now = () => new Date(this.#ms);
  advance(seconds: number) {
    this.#ms += seconds * 1000;
  }
}

const value = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(`refused: ${result.code} (${result.detail})`);
  return result.value;
};
const codeOf = (result: Result<unknown>) => (result.ok ? 'accepted' : result.code);

export function sessionStoreContract(name: string, harness: () => SessionStoreHarness): void {
  describe(`SessionStore contract: ${name}`, () => {
    const setup = () => {
      const { store, seedAccount } = harness();
      const clock = new TestClock();
      const reuses: ReuseEvent[] = [];
      const service = new RefreshTokenService({
        store,
        clock,
        random: webCryptoRandom,
        successorKey: webCryptoRandom.bytes(32),
        idleTtlSeconds: IDLE,
        absoluteTtlSeconds: ABSOLUTE,
        graceSeconds: GRACE,
        onReuse: async (event) => {
          reuses.push(event);
        },
      });
      const login = async () => {
        const owner = await seedAccount();
        return { ...owner, ...(await service.startSession({ ...owner, amr: ['otp'] })) };
      };
      return { store, clock, service, reuses, login, seedAccount };
    };
    const hash = (token: string) => webCryptoHashing.sha256(token);

    it('stores a session and finds it by id and by its token, never by the plaintext', async () => {
      const { store, service, login } = setup();
      const { session, refreshToken } = await login();
      expect(refreshToken).toMatch(/^ert_[A-Za-z0-9_-]{43}$/);
      expect(await store.findSession(session.id)).toMatchObject({
        id: session.id,
        amr: ['otp'],
        revokedAt: null,
        absoluteExpiresAt: session.absoluteExpiresAt,
      });
      expect((await store.findSessionByTokenHash(await hash(refreshToken)))?.id).toBe(session.id);
      expect(await store.findSessionByTokenHash(refreshToken)).toBeNull();
      expect((await service.sessionOf(refreshToken))?.id).toBe(session.id);
      expect(await store.findSession(crypto.randomUUID())).toBeNull();
    });

    it("ends every live session of a person (logout everywhere), and no one else's", async () => {
      const { store, service, clock, seedAccount } = setup();
      const owner = await seedAccount();
      const other = await seedAccount();
      const first = await service.startSession({ ...owner, amr: ['otp'] });
      const second = await service.startSession({ ...owner, amr: ['pwd'] });
      const ended = await service.startSession({ ...owner, amr: ['otp'] });
      const theirs = await service.startSession({ ...other, amr: ['otp'] });
      expect(await store.revokeSession(ended.session.id, 'logout', clock.now())).toBe(true);
      expect(await store.revokeOfPerson(owner.personId, 'logout_all', clock.now())).toBe(2);
      for (const { session } of [first, second]) {
        expect(await store.findSession(session.id)).toMatchObject({ revokeReason: 'logout_all' });
      }
      expect((await store.findSession(ended.session.id))?.revokeReason).toBe('logout');
      expect((await store.findSession(theirs.session.id))?.revokedAt).toBeNull();
      expect(await store.revokeOfPerson(owner.personId, 'logout_all', clock.now())).toBe(0);
    });

    it("lists a person's or an account's live sessions in page order, ties by id, ended and expired ones left out", async () => {
      const { store, service, clock, seedAccount } = setup();
      const owner = await seedAccount();
      // The same person's account in another tenant (the person's sessions are listed across tenants).
      const elsewhere = { ...(await seedAccount()), personId: owner.personId };
      const stranger = await seedAccount();
      const t0 = clock.now();
      const record = (who: typeof owner, createdAt: Date): SessionRecord => ({
        id: crypto.randomUUID(),
        ...who,
        amr: ['otp'],
        mfaAt: null,
        ip: null,
        userAgent: null,
        createdAt,
        lastUsedAt: createdAt,
        absoluteExpiresAt: new Date(createdAt.getTime() + ABSOLUTE * 1000),
        revokedAt: null,
        revokeReason: null,
      });
      // Three sessions started at the same instant: their order is their ids'.
      const tied = [record(owner, t0), record(elsewhere, t0), record(owner, t0)];
      for (const session of tied) await store.insertBearerSession(session);
      clock.advance(60);
      const later = await service.startSession({ ...owner, amr: ['pwd'], userAgent: 'curl/8' });
      const ended = await service.startSession({ ...owner, amr: ['otp'] });
      expect(await store.revokeSession(ended.session.id, 'logout', clock.now())).toBe(true);
      // Its absolute expiry is t0: past.
      await store.insertBearerSession(record(owner, new Date(t0.getTime() - ABSOLUTE * 1000)));
      await service.startSession({ ...stranger, amr: ['otp'] });
      const now = clock.now();
      const tiedIds = tied.map((s) => s.id).sort();
      const expected = [...tiedIds, later.session.id];

      const all = await store.listLive({ personId: owner.personId }, { after: undefined, limit: 10, now });
      expect(all.map((s) => s.id)).toEqual(expected);
      expect(all[3]).toEqual(later.session);
      const paged: string[] = [];
      let after: SessionRecord | undefined;
      for (let pages = 0; pages < 5; pages++) {
        const page = await store.listLive({ personId: owner.personId }, { after, limit: 2, now });
        paged.push(...page.map((s) => s.id));
        if (page.length < 2) break;
        after = page.at(-1);
      }
      expect(paged).toEqual(expected);
      const page = { after: undefined, limit: 10, now };
      expect((await store.listLive({ accountId: owner.accountId }, page)).map((s) => s.id)).toEqual(
        expected.filter((id) => id !== tied[1]!.id),
      );
      expect((await store.listLive({ accountId: elsewhere.accountId }, page)).map((s) => s.id)).toEqual([
        tied[1]!.id,
      ]);
      // A limit is a limit; past every absolute expiry, nothing is live.
      expect(await store.listLive({ personId: owner.personId }, { ...page, limit: 1 })).toHaveLength(1);
      clock.advance(ABSOLUTE);
      expect(await store.listLive({ personId: owner.personId }, { ...page, now: clock.now() })).toEqual([]);
    });

    it("lists an account's distinct user agents, live or ended, the most recently used first, at most `limit`", async () => {
      const { store, service, clock, seedAccount } = setup();
      const owner = await seedAccount();
      const stranger = await seedAccount();
      expect(await store.userAgentsOf(owner.accountId, 10)).toEqual([]);
      await service.startSession({ ...owner, amr: ['otp'], userAgent: 'agent-a' });
      clock.advance(60);
      const b = await service.startSession({ ...owner, amr: ['otp'], userAgent: 'agent-b' });
      expect(await store.revokeSession(b.session.id, 'logout', clock.now())).toBe(true);
      clock.advance(60);
      await service.startSession({ ...owner, amr: ['otp'], userAgent: null });
      clock.advance(60);
      // agent-a again, latest: it moves to the front, once.
      await service.startSession({ ...owner, amr: ['otp'], userAgent: 'agent-a' });
      await service.startSession({ ...stranger, amr: ['otp'], userAgent: 'agent-z' });
      expect(await store.userAgentsOf(owner.accountId, 10)).toEqual(['agent-a', null, 'agent-b']);
      expect(await store.userAgentsOf(owner.accountId, 2)).toEqual(['agent-a', null]);
      expect(await store.userAgentsOf(stranger.accountId, 10)).toEqual(['agent-z']);
    });

    it('stores a bearer session (no refresh token) once: a second insert with its id keeps the first', async () => {
      const { store, seedAccount, clock } = setup();
      const owner = await seedAccount();
      const other = await seedAccount();
      const now = clock.now();
      const id = crypto.randomUUID();
      const bearer = (who: typeof owner, amr: string[], userAgent: string | null): SessionRecord => ({
        id,
        ...who,
        amr,
        mfaAt: null,
        ip: '127.0.0.1',
        userAgent,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: new Date(now.getTime() + 60_000),
        revokedAt: null,
        revokeReason: null,
      });
      await store.insertBearerSession(bearer(owner, ['privy', 'odd,"value'], 'agent "one"'));
      await store.insertBearerSession(bearer(other, ['otp'], null));
      expect(await store.findSession(id)).toEqual(bearer(owner, ['privy', 'odd,"value'], 'agent "one"'));
      expect(await store.revokeSession(id, 'logout', now)).toBe(true);
      expect((await store.findSession(id))?.revokeReason).toBe('logout');
    });

    it('refuses a second token with the same hash, and a second session with the same id', async () => {
      const { store, seedAccount, clock } = setup();
      const owner = await seedAccount();
      const now = clock.now();
      const session = (id: string): SessionRecord => ({
        id,
        ...owner,
        amr: ['otp'],
        mfaAt: null,
        ip: null,
        userAgent: null,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: new Date(now.getTime() + 1000),
        revokedAt: null,
        revokeReason: null,
      });
      const token = (sessionId: string, tokenHash: string): RefreshTokenRecord => ({
        id: crypto.randomUUID(),
        sessionId,
        tokenHash,
        parentId: null,
        replacedById: null,
        usedAt: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 1000),
      });
      const first = crypto.randomUUID();
      await store.insertSession(session(first), token(first, 'same-hash'));
      const second = crypto.randomUUID();
      await expect(store.insertSession(session(second), token(second, 'same-hash'))).rejects.toThrow();
      // Nothing of the refused insert is left: no session without its token.
      expect(await store.findSession(second)).toBeNull();
      await expect(store.insertSession(session(first), token(first, 'other-hash'))).rejects.toThrow();
      expect(await store.findSessionByTokenHash('other-hash')).toBeNull();
    });

    it('rotates on every use: the successor works, each token once', async () => {
      const { service, clock, login } = setup();
      const { refreshToken: t0, session } = await login();
      const r1 = value(await service.rotate(t0));
      expect(r1.refreshToken).not.toBe(t0);
      expect(r1.graceReplay).toBe(false);
      expect(r1.session.id).toBe(session.id);
      clock.advance(60);
      const r2 = value(await service.rotate(r1.refreshToken));
      expect(r2.refreshToken).not.toBe(r1.refreshToken);
      expect(r2.session.lastUsedAt).toEqual(clock.now());
    });

    it('a replay outside the grace window revokes the whole family, live token included', async () => {
      const { service, store, clock, login, reuses } = setup();
      const { refreshToken: t0, session } = await login();
      const { refreshToken: t1 } = value(await service.rotate(t0));
      clock.advance(GRACE + 1);
      expect(codeOf(await service.rotate(t0))).toBe('refresh_token_reused');
      expect(codeOf(await service.rotate(t1))).toBe('refresh_token_invalid');
      expect(await store.findSession(session.id)).toMatchObject({ revokeReason: 'refresh_token_reuse' });
      expect(reuses.map((r) => r.session.id)).toEqual([session.id]);
    });

    it('a replay inside the grace window gets the same successor; after the successor was used, it is reuse', async () => {
      const { service, clock, login } = setup();
      const { refreshToken: t0 } = await login();
      const { refreshToken: t1 } = value(await service.rotate(t0));
      clock.advance(GRACE - 1);
      const again = value(await service.rotate(t0));
      expect(again).toMatchObject({ refreshToken: t1, graceReplay: true });
      value(await service.rotate(t1));
      expect(codeOf(await service.rotate(t0))).toBe('refresh_token_reused');
    });

    it('two concurrent rotations of one token: one rotates, the other gets the same successor', async () => {
      const { service, login } = setup();
      const { refreshToken: t0 } = await login();
      const [a, b] = (await Promise.all([service.rotate(t0), service.rotate(t0)])).map(value);
      expect(a!.refreshToken).toBe(b!.refreshToken);
      expect([a!.graceReplay, b!.graceReplay].sort()).toEqual([false, true]);
      // Exactly one successor was issued: it works once, and then both replays are reuse.
      value(await service.rotate(a!.refreshToken));
    });

    it('many concurrent rotations of one token issue one successor, and nothing is lost or doubled', async () => {
      const { service, store, login } = setup();
      const { refreshToken: t0, session } = await login();
      const results = (await Promise.all(Array.from({ length: 6 }, () => service.rotate(t0)))).map(value);
      expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1);
      expect(results.filter((r) => !r.graceReplay)).toHaveLength(1);
      const successor = await hash(results[0]!.refreshToken);
      expect((await store.findSessionByTokenHash(successor))?.id).toBe(session.id);
    });

    it('concurrent rotations of a token outside the grace window: every one is reuse', async () => {
      const { service, clock, login, store } = setup();
      const { refreshToken: t0, session } = await login();
      value(await service.rotate(t0));
      clock.advance(GRACE + 1);
      const codes = (await Promise.all([service.rotate(t0), service.rotate(t0)])).map(codeOf);
      // The first replay revokes; the second finds the family already ended.
      expect(codes.sort()).toEqual(['refresh_token_invalid', 'refresh_token_reused']);
      expect((await store.findSession(session.id))?.revokedAt).not.toBeNull();
    });

    it('expires when idle', async () => {
      const { service, clock, login } = setup();
      const { refreshToken: t0 } = await login();
      clock.advance(IDLE - 1);
      const { refreshToken: t1 } = value(await service.rotate(t0));
      clock.advance(IDLE);
      expect(await service.rotate(t1)).toMatchObject({
        code: 'refresh_token_invalid',
        detail: 'The refresh token has expired',
      });
    });

    it('expires absolutely, however often it is used', async () => {
      const { service, clock, login } = setup();
      let { refreshToken: token } = await login();
      for (let day = 0; day < 29; day += 1) {
        clock.advance(DAY);
        ({ refreshToken: token } = value(await service.rotate(token)));
      }
      clock.advance(DAY - 1);
      const last = value(await service.rotate(token));
      expect(last.expiresAt.getTime()).toBe(last.session.absoluteExpiresAt.getTime());
      clock.advance(1);
      expect(await service.rotate(last.refreshToken)).toMatchObject({ detail: 'The session has expired' });
    });

    it('is bound to its tenant and refuses malformed or unknown tokens', async () => {
      const { service, login, seedAccount } = setup();
      const { refreshToken: t0, tenantId } = await login();
      const other = await seedAccount();
      expect(codeOf(await service.rotate(t0, { tenantId: other.tenantId }))).toBe('refresh_token_invalid');
      value(await service.rotate(t0, { tenantId }));
      expect(codeOf(await service.rotate('ert_short'))).toBe('refresh_token_invalid');
      expect(codeOf(await service.rotate(`ert_${'A'.repeat(43)}`))).toBe('refresh_token_invalid');
      expect(await service.sessionOf(`ert_${'A'.repeat(43)}`)).toBeNull();
    });

    it('stops working when the session is revoked (logout), idempotently', async () => {
      const { service, store, login } = setup();
      const { refreshToken: t0, session } = await login();
      expect(await service.revokeSession(session.id, 'logout')).toBe(true);
      expect(await service.revokeSession(session.id, 'logout')).toBe(false);
      expect(await service.revokeSession(crypto.randomUUID(), 'logout')).toBe(false);
      expect(await service.rotate(t0)).toMatchObject({ detail: 'The session has ended' });
      expect(await store.findSession(session.id)).toMatchObject({ revokeReason: 'logout' });
    });

    it('steps a live session up: amr gains the factor once, mfa_at is set, the family rotates on', async () => {
      const { service, store, clock, login } = setup();
      const { refreshToken: t0, session } = await login();
      const at = clock.now();
      const stepped = await store.stepUp(session.id, ['otp', 'mfa'], at);
      expect(stepped).toMatchObject({ id: session.id, amr: ['otp', 'mfa'], mfaAt: at, revokedAt: null });
      expect(await store.findSession(session.id)).toMatchObject({ amr: ['otp', 'mfa'], mfaAt: at });
      clock.advance(60);
      const later = clock.now();
      expect((await store.stepUp(session.id, ['mfa', 'hwk'], later))?.amr).toEqual(['otp', 'mfa', 'hwk']);
      // The refresh token is unchanged, and its successors carry the stepped-up session.
      expect(value(await service.rotate(t0)).session).toMatchObject({
        amr: ['otp', 'mfa', 'hwk'],
        mfaAt: later,
      });
    });

    it('does not step up an unknown or ended session', async () => {
      const { service, store, clock, login } = setup();
      const { session } = await login();
      expect(await store.stepUp(crypto.randomUUID(), ['mfa'], clock.now())).toBeNull();
      await service.revokeSession(session.id, 'logout');
      expect(await store.stepUp(session.id, ['mfa'], clock.now())).toBeNull();
      expect(await store.findSession(session.id)).toMatchObject({ amr: ['otp'], mfaAt: null });
    });

    it('a check that refuses revokes the session with its reason', async () => {
      const { service, store, login } = setup();
      const { refreshToken: t0, session } = await login();
      const check = async () =>
        ({ ok: false, code: 'account_inactive', detail: 'inactive', reason: 'account_inactive' }) as const;
      expect(codeOf(await service.rotate(t0, { check }))).toBe('account_inactive');
      expect(await store.findSession(session.id)).toMatchObject({ revokeReason: 'account_inactive' });
    });

    it('a failed transaction leaves nothing behind', async () => {
      const { store, service, clock, login } = setup();
      const { refreshToken: t0, session } = await login();
      const t0Hash = await hash(t0);
      const failure = new Error('fails after writing');
      await expect(
        store.withFamily(t0Hash, async (family) => {
          const now = clock.now();
          await family.insertToken({
            id: crypto.randomUUID(),
            sessionId: family.session.id,
            tokenHash: 'written-then-rolled-back',
            parentId: family.token.id,
            replacedById: null,
            usedAt: null,
            createdAt: now,
            expiresAt: now,
          });
          await family.markUsed(family.token.id, now, crypto.randomUUID());
          await family.updateSession({ lastUsedAt: new Date(now.getTime() + 5000), ip: '198.51.100.7' });
          await family.updateSession({ revokedAt: now, revokeReason: 'never' });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.findSessionByTokenHash('written-then-rolled-back')).toBeNull();
      expect(await store.findSession(session.id)).toMatchObject({ revokedAt: null, ip: null });
      // The token is still unused: it rotates normally, not as a replay.
      expect(value(await service.rotate(t0)).graceReplay).toBe(false);
    });

    it('a transaction that writes a duplicate token hash fails whole, wherever the store notices', async () => {
      const { store, service, clock, login } = setup();
      const { refreshToken: t0, session } = await login();
      const { refreshToken: other } = await login();
      await expect(
        store.withFamily(await hash(t0), async (family) => {
          const now = clock.now();
          await family.markUsed(family.token.id, now, crypto.randomUUID());
          await family.updateSession({ revokedAt: now, revokeReason: 'never' });
          // The memory store refuses here; PostgreSQL when the transaction writes (unique index).
          await family.insertToken({
            id: crypto.randomUUID(),
            sessionId: family.session.id,
            tokenHash: await hash(other),
            parentId: family.token.id,
            replacedById: null,
            usedAt: null,
            createdAt: now,
            expiresAt: now,
          });
        }),
      ).rejects.toThrow();
      expect(await store.findSession(session.id)).toMatchObject({ revokedAt: null });
      expect(value(await service.rotate(t0)).graceReplay).toBe(false);
      expect(value(await service.rotate(other)).graceReplay).toBe(false);
    });

    it('a family transaction sees its own writes and the locked rows', async () => {
      const { store, service, login } = setup();
      const { refreshToken: t0, session } = await login();
      const { refreshToken: t1 } = value(await service.rotate(t0));
      const seen = await store.withFamily(await hash(t0), async (family) => {
        expect(family.token.usedAt).not.toBeNull();
        const next = await family.findToken(family.token.replacedById!);
        expect(next?.tokenHash).toBe(await hash(t1));
        expect(next?.parentId).toBe(family.token.id);
        await family.updateSession({ revokedAt: new Date(), revokeReason: 'seen' });
        return family.session.revokeReason;
      });
      expect(seen).toBe('seen');
      expect(await store.findSession(session.id)).toMatchObject({ revokeReason: 'seen' });
      expect(await store.withFamily('unknown-hash', async () => 'ran')).toBeUndefined();
    });
  });
}
