// The store contract of housekeeping (#15): every HousekeepingStore (memory, PostgreSQL) deletes what the
// core's cutoffs (`purgeCutoffs`) say and nothing else: ended sessions with their refresh tokens, expired
// refresh tokens of live sessions, codes, links and challenges expired for more than a day; never a live
// row or one expired a moment ago; at most `limit` rows per table and run.
import {
  type OAuthFlowRecord,
  type OtpChallengeRecord,
  PURGE_BATCH,
  purgeCutoffs,
  type Repositories,
  type SessionRecord,
  type UnitOfWork,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface HousekeepingStoreHarness {
  uow: UnitOfWork;
  /** An account of a new person in a new tenant. */
  seedAccount(): Promise<{ accountId: string; personId: string; tenantId: string }>;
}

const DAY = 86_400_000;
const SETTINGS = { refreshIdleTtlSeconds: 30 * 86_400, feedRetentionSeconds: 3_600 };
let n = 0;
const unique = () => `${Date.now()}-${++n}`;

export function housekeepingStoreContract(name: string, harness: () => HousekeepingStoreHarness): void {
  describe(`HousekeepingStore contract: ${name}`, () => {
    const purge = (uow: UnitOfWork, now: Date, limit = PURGE_BATCH) =>
      uow.transaction((repos) => repos.housekeeping.purge(purgeCutoffs(now, SETTINGS), now, limit));

    it('deletes ended sessions with their tokens and expired tokens of live sessions; keeps the live', async () => {
      const { uow, seedAccount } = harness();
      const owner = await seedAccount();
      const now = new Date();
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const insert = async (
        repos: Repositories,
        session: Partial<SessionRecord>,
        tokenExpiresAt: Date,
      ): Promise<{ id: string; hash: string }> => {
        const id = crypto.randomUUID();
        const hash = `hk-${unique()}`;
        await repos.sessions.insertSession(
          {
            id,
            ...owner,
            amr: ['otp'],
            mfaAt: null,
            ip: null,
            userAgent: null,
            createdAt: ago(60 * DAY),
            lastUsedAt: now,
            absoluteExpiresAt: new Date(now.getTime() + DAY),
            revokedAt: null,
            revokeReason: null,
            ...session,
          },
          {
            id: crypto.randomUUID(),
            sessionId: id,
            tokenHash: hash,
            parentId: null,
            replacedById: null,
            usedAt: null,
            createdAt: ago(60 * DAY),
            expiresAt: tokenExpiresAt,
          },
        );
        return { id, hash };
      };
      const rows = await uow.transaction(async (repos) => ({
        // Revoked 40 days ago: past the 32 days ended sessions are kept.
        revoked: await insert(
          repos,
          { revokedAt: ago(40 * DAY), revokeReason: 'logout', lastUsedAt: ago(40 * DAY) },
          ago(40 * DAY),
        ),
        // Past its absolute expiry for 40 days.
        expired: await insert(
          repos,
          { absoluteExpiresAt: ago(40 * DAY), lastUsedAt: ago(41 * DAY) },
          ago(40 * DAY),
        ),
        // Revoked 10 days ago: kept (a month's usage figures still see it).
        recentlyEnded: await insert(
          repos,
          { revokedAt: ago(10 * DAY), revokeReason: 'logout' },
          ago(10 * DAY),
        ),
        // Live, its refresh token expired 2 days ago: the token goes, the session stays.
        staleToken: await insert(repos, {}, ago(2 * DAY)),
        // Live, its token expired an hour ago: both stay (a day's margin).
        freshlyExpired: await insert(repos, {}, ago(3_600_000)),
        live: await insert(repos, {}, new Date(now.getTime() + DAY)),
      }));

      const counts = await purge(uow, now);
      expect(counts.sessions).toBeGreaterThanOrEqual(2);
      expect(counts.refreshTokens).toBeGreaterThanOrEqual(1);
      await uow.read(async (repos) => {
        expect(await repos.sessions.findSession(rows.revoked.id)).toBeNull();
        expect(await repos.sessions.findSession(rows.expired.id)).toBeNull();
        expect(await repos.sessions.findSessionByTokenHash(rows.revoked.hash)).toBeNull();
        expect(await repos.sessions.findSession(rows.recentlyEnded.id)).toMatchObject({
          revokeReason: 'logout',
        });
        expect(await repos.sessions.findSession(rows.staleToken.id)).toMatchObject({ revokedAt: null });
        expect(await repos.sessions.findSessionByTokenHash(rows.staleToken.hash)).toBeNull();
        expect(await repos.sessions.findSessionByTokenHash(rows.freshlyExpired.hash)).toMatchObject({
          id: rows.freshlyExpired.id,
        });
        expect(await repos.sessions.findSessionByTokenHash(rows.live.hash)).toMatchObject({
          id: rows.live.id,
        });
      });
    });

    it("deletes the revocation feed's old events, at most `limit` a run", async () => {
      const { uow, seedAccount } = harness();
      const owner = await seedAccount();
      const now = new Date();
      await uow.transaction(async (repos) => {
        for (let i = 0; i < 3; i++) {
          const id = crypto.randomUUID();
          await repos.sessions.insertSession(
            {
              id,
              ...owner,
              amr: ['otp'],
              mfaAt: null,
              ip: null,
              userAgent: null,
              createdAt: now,
              lastUsedAt: now,
              absoluteExpiresAt: new Date(now.getTime() + DAY),
              revokedAt: null,
              revokeReason: null,
            },
            {
              id: crypto.randomUUID(),
              sessionId: id,
              tokenHash: `hk-feed-${unique()}`,
              parentId: null,
              replacedById: null,
              usedAt: null,
              createdAt: now,
              expiresAt: new Date(now.getTime() + DAY),
            },
          );
          expect(await repos.sessions.revokeSession(id, 'logout', now)).toBe(true);
        }
      });
      // Cutoffs that keep everything but the feed's events (all of them are older than a second from now).
      const never = new Date(0);
      const cutoffs = {
        ...purgeCutoffs(never, SETTINGS),
        expiredBefore: never,
        refreshTokensExpiredBefore: never,
        sessionsEndedBefore: never,
        sessionsIdleBefore: never,
        idempotencyExpiredBefore: never,
        sendWindowsBefore: never,
        throttleIdleBefore: never,
        throttleStreaksBefore: never,
        revocationEventsBefore: new Date(now.getTime() + 1_000),
      };
      const counts = await uow.transaction((repos) => repos.housekeeping.purge(cutoffs, now, 2));
      expect(counts.revocationEvents).toBe(2);
      expect(counts.sessions).toBe(0);
      // A run with room for all of them takes the rest; then there is none left.
      await uow.transaction((repos) => repos.housekeeping.purge(cutoffs, now, PURGE_BATCH));
      expect(
        (await uow.transaction((repos) => repos.housekeeping.purge(cutoffs, now, 2))).revocationEvents,
      ).toBe(0);
    });

    it('deletes social sign-in flows a day after the flow and its exchange code expired, at most `limit` a run', async () => {
      const { uow, seedAccount } = harness();
      const { tenantId } = await seedAccount();
      const now = new Date();
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const flow = (expiresAt: Date, codeExpiresAt: Date | null): OAuthFlowRecord => ({
        id: crypto.randomUUID(),
        tenantId,
        provider: 'corp',
        stateHash: `hk-state-${unique()}`,
        codeVerifier: 'provider-verifier',
        nonce: 'nonce',
        clientChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        redirectUri: 'https://app.example/cb',
        intent: 'sign_in',
        personId: null,
        expiresAt,
        stateSpentAt: codeExpiresAt ? expiresAt : null,
        codeHash: codeExpiresAt ? `hk-code-${unique()}` : null,
        identity: codeExpiresAt ? { provider: 'oidc', subject: 'https://idp.example|1' } : null,
        codeExpiresAt,
        codeSpentAt: null,
        createdAt: ago(3 * DAY),
      });
      // Never called back, expired two days ago; called back, its code expired two days ago too.
      const old = [flow(ago(2 * DAY), null), flow(ago(2 * DAY), ago(2 * DAY)), flow(ago(3 * DAY), null)];
      const kept = [
        // Expired an hour ago (a day's margin, as for every code).
        flow(ago(3_600_000), null),
        // Live.
        flow(new Date(now.getTime() + 600_000), null),
        // Its transaction expired long ago but its code only an hour ago: the code decides.
        flow(ago(2 * DAY), ago(3_600_000)),
      ];
      await uow.transaction(async (repos) => {
        for (const f of [...old, ...kept]) await repos.oauth.insertFlow(f);
      });
      const first = await purge(uow, now, 2);
      expect(first.oauthFlows).toBeLessThanOrEqual(2);
      expect(first.oauthFlows).toBeGreaterThan(0);
      for (let run = 0; run < 20; run++) {
        if ((await purge(uow, now, 2)).oauthFlows === 0) break;
      }
      // A purged flow is unknown (its state and code refused as such); a kept one is found.
      await uow.transaction(async (repos) => {
        for (const f of old) expect(await repos.oauth.spendState(f.stateHash, now)).toBeNull();
        for (const f of kept)
          expect(await repos.oauth.spendState(f.stateHash, now)).toMatchObject({ id: f.id });
        expect(await repos.oauth.findByCode(kept[2]!.codeHash!)).toMatchObject({ id: kept[2]!.id });
        expect(await repos.oauth.findByCode(old[1]!.codeHash!)).toBeNull();
      });
    });

    it('deletes codes, links and challenges expired for more than a day, at most `limit` a table and run', async () => {
      const { uow, seedAccount } = harness();
      const { tenantId } = await seedAccount();
      const now = new Date();
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const email = `hk-${unique()}@example.com`;
      const code = (expiresAt: Date): OtpChallengeRecord => ({
        id: crypto.randomUUID(),
        address: email,
        tenantId,
        purpose: 'login',
        codeHash: `hk-code-${unique()}`,
        expiresAt,
        attempts: 0,
        consumedAt: null,
        createdAt: ago(3 * DAY),
      });
      const old = [code(ago(2 * DAY)), code(ago(2 * DAY)), code(ago(3 * DAY))];
      const kept = [code(ago(3_600_000)), code(new Date(now.getTime() + 600_000))];
      for (const c of [...old, ...kept]) {
        await uow.transaction((repos) => repos.codes.withScope(c, (scope) => scope.insert(c)));
      }
      const link = (expiresAt: Date) => ({
        id: crypto.randomUUID(),
        tokenHash: `hk-link-${unique()}`,
        tenantId,
        email,
        expiresAt,
        consumedAt: null,
        createdAt: ago(3 * DAY),
      });
      const oldLink = link(ago(2 * DAY));
      const keptLink = link(ago(3_600_000));
      const nonce = (expiresAt: Date) => ({
        id: crypto.randomUUID(),
        purpose: 'google_nonce' as const,
        valueHash: `hk-nonce-${unique()}`,
        tenantId,
        personId: null,
        data: null,
        expiresAt,
        consumedAt: null,
        createdAt: ago(3 * DAY),
      });
      const oldNonce = nonce(ago(2 * DAY));
      const keptNonce = nonce(ago(3_600_000));
      await uow.transaction(async (repos) => {
        await repos.magicLinks.insert(oldLink);
        await repos.magicLinks.insert(keptLink);
        expect(await repos.challenges.insert(oldNonce)).toBe(true);
        expect(await repos.challenges.insert(keptNonce)).toBe(true);
      });

      // A run deletes at most `limit` rows of a table; the next runs take the rest.
      const first = await purge(uow, now, 2);
      for (const count of Object.values(first)) expect(count).toBeLessThanOrEqual(2);
      for (let run = 0; run < 20; run++) {
        const counts = await purge(uow, now, 2);
        if (Object.values(counts).every((c) => c === 0)) break;
      }
      await uow.read(async (repos) => {
        for (const c of old) expect(await repos.codes.find(c.id)).toBeNull();
        for (const c of kept) expect(await repos.codes.find(c.id)).toMatchObject({ id: c.id });
        expect((await repos.magicLinks.createdSince(tenantId, email, ago(4 * DAY))).map((l) => l.id)).toEqual(
          [keptLink.id],
        );
      });
      // A deleted nonce can be stored again; a kept one is still "seen".
      await uow.transaction(async (repos) => {
        expect(await repos.challenges.insert({ ...oldNonce, id: crypto.randomUUID() })).toBe(true);
        expect(await repos.challenges.insert({ ...keptNonce, id: crypto.randomUUID() })).toBe(false);
      });
    });
  });
}
