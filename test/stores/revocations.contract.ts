// The store contract of the revocation feed: every RevocationFeedStore (memory, PostgreSQL) must pass it.
// Polls go through the core's handler (cursor and paging rules written once), so a store that passes
// feeds a verifier the same way under the server and under the mock.
import type { RevocationFeed } from '@enforcer/contract';
import {
  AppError,
  type ApplicationRecord,
  type HandlerContext,
  revocationsHandlers,
  type UnitOfWork,
} from '@enforcer/core';
import { describe, expect, it } from 'vitest';

export interface RevocationFeedHarness {
  uow: UnitOfWork;
  /** A new tenant and an account in it (grant version 1, role member, active, no groups). */
  seedAccount(tenantId?: string): Promise<{ tenantId: string; accountId: string }>;
  /** Changes the account's grant (bumps its grant version), as a role change would: one event. */
  changeAccount(accountId: string): Promise<void>;
  deleteAccount(accountId: string): Promise<void>;
  /** Moves every event of the tenant `seconds` into the past. */
  age(tenantId: string, seconds: number): Promise<void>;
}

const RETENTION = 960;

export function revocationFeedContract(name: string, harness: () => RevocationFeedHarness): void {
  describe(`RevocationFeedStore contract: ${name}`, () => {
    const setup = () => {
      const h = harness();
      const { feed } = revocationsHandlers({ uow: h.uow, retentionSeconds: RETENTION });
      const poll = async (tenantId: string, query: { cursor?: string; limit?: number } = {}) => {
        const ctx: HandlerContext = {
          caller: {
            kind: 'api_key',
            tenantId,
            apiKeyId: crypto.randomUUID(),
            role: 'admin',
            createdBy: null,
          },
          client: { ip: null, userAgent: null },
        };
        const answer = await feed({ query: { limit: 100, ...query } } as never, ctx);
        return answer.body as RevocationFeed;
      };
      const changed = (page: RevocationFeed) => page.accounts.map((a) => a.account_id);
      return { ...h, poll, changed };
    };

    it("starts with the retention window of the caller's tenant, then shows only what is new", async () => {
      const { seedAccount, changeAccount, age, poll, changed } = setup();
      const a = await seedAccount();
      const b = await seedAccount(a.tenantId);
      const elsewhere = await seedAccount();
      await changeAccount(a.accountId);
      await age(a.tenantId, RETENTION + 60);
      await changeAccount(b.accountId);
      await changeAccount(elsewhere.accountId);

      const first = await poll(a.tenantId);
      expect(first).toMatchObject({ tenant_id: a.tenantId, has_more: false, retention_seconds: RETENTION });
      expect(changed(first)).toEqual([b.accountId]);
      expect(first.accounts[0]).toMatchObject({
        active: true,
        deleted: false,
        roles: ['member'],
        groups: [],
      });
      expect(first.accounts[0]!.grant_version).toBeGreaterThan(1);

      const quiet = await poll(a.tenantId, { cursor: first.next_cursor });
      expect(quiet).toMatchObject({ sessions: [], accounts: [], has_more: false });

      await changeAccount(a.accountId);
      const next = await poll(a.tenantId, { cursor: quiet.next_cursor });
      expect(changed(next)).toEqual([a.accountId]);
      expect(changed(await poll(a.tenantId, { cursor: next.next_cursor }))).toEqual([]);
    });

    it('pages in write order, each event once, and what changes while paging comes with the next poll', async () => {
      const { seedAccount, changeAccount, poll, changed } = setup();
      const first = await seedAccount();
      const accounts = [first];
      for (let i = 0; i < 4; i++) accounts.push(await seedAccount(first.tenantId));
      const start = await poll(first.tenantId);
      for (const { accountId } of accounts) await changeAccount(accountId);

      const seen: string[] = [];
      let page = await poll(first.tenantId, { cursor: start.next_cursor, limit: 2 });
      seen.push(...changed(page));
      expect(page.has_more).toBe(true);
      const late = await seedAccount(first.tenantId);
      await changeAccount(late.accountId);
      while (page.has_more) {
        page = await poll(first.tenantId, { cursor: page.next_cursor, limit: 2 });
        seen.push(...changed(page));
      }
      expect(seen).toEqual(accounts.map((a) => a.accountId));
      expect(changed(await poll(first.tenantId, { cursor: page.next_cursor }))).toEqual([late.accountId]);
    });

    it('shows a deleted account as deleted', async () => {
      const { seedAccount, deleteAccount, poll } = setup();
      const { tenantId, accountId } = await seedAccount();
      const start = await poll(tenantId);
      await deleteAccount(accountId);
      const page = await poll(tenantId, { cursor: start.next_cursor });
      expect(page.accounts).toEqual([
        expect.objectContaining({
          account_id: accountId,
          deleted: true,
          active: false,
          roles: [],
          grant_version: 0,
        }),
      ]);
    });

    it("shows an application's revoked tokens, its scope changes and its deletion (#18), and nothing else of it", async () => {
      const { uow, seedAccount, poll } = setup();
      const { tenantId } = await seedAccount();
      const start = await poll(tenantId);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const app: ApplicationRecord = {
        id: crypto.randomUUID(),
        tenantId,
        name: 'worker',
        description: null,
        clientId: `enfapp_${crypto.randomUUID().replaceAll('-', '').slice(0, 22)}`,
        authMethod: 'client_secret_basic',
        secretPrefix: 'enfsec_x',
        secretHash: crypto.randomUUID(),
        jwks: null,
        jwksUri: null,
        scopes: ['reports.read', 'invoices.create'],
        createdBy: null,
        createdAt: now,
        updatedAt: now,
        secretRotatedAt: now,
        lastUsedAt: null,
      };
      await uow.transaction(async (repos) => {
        await repos.applications.insert(app);
        await repos.applications.update({ ...app, name: 'renamed' });
        await repos.applications.touch(app.id, now);
      });
      const quiet = await poll(tenantId, { cursor: start.next_cursor });
      expect(quiet).toMatchObject({ client_tokens: [], applications: [], sessions: [], accounts: [] });

      const jti = crypto.randomUUID();
      await uow.transaction(async (repos) => {
        await repos.applications.revokeToken({
          jti,
          tenantId,
          applicationId: app.id,
          expiresAt: new Date(Date.now() + 60_000),
        });
        await repos.applications.update({ ...app, scopes: ['reports.read'] });
      });
      const changed = await poll(tenantId, { cursor: quiet.next_cursor });
      expect(changed.client_tokens).toEqual([
        { jti, client_id: app.clientId, revoked_at: expect.any(String) },
      ]);
      expect(changed.applications).toEqual([
        { client_id: app.clientId, deleted: false, scopes: ['reports.read'], changed_at: expect.any(String) },
      ]);

      await uow.transaction((repos) => repos.applications.delete(app.id));
      const gone = await poll(tenantId, { cursor: changed.next_cursor });
      expect(gone.client_tokens).toEqual([]);
      expect(gone.applications).toEqual([
        { client_id: app.clientId, deleted: true, scopes: [], changed_at: expect.any(String) },
      ]);
    });

    it('refuses a cursor that is not one of its own with 400 naming query.cursor', async () => {
      const { seedAccount, poll } = setup();
      const { tenantId } = await seedAccount();
      const refusal = await poll(tenantId, { cursor: 'bm90LWEtY3Vyc29y' }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({ code: 'validation_failed', errors: [{ path: 'query.cursor' }] });
    });

    it('prunes events older than it is asked to keep', async () => {
      const { uow, seedAccount, changeAccount, age } = setup();
      const { tenantId, accountId } = await seedAccount();
      await changeAccount(accountId);
      await age(tenantId, 7200);
      await changeAccount(accountId);
      expect(await uow.transaction((repos) => repos.revocations.prune(3600))).toBeGreaterThanOrEqual(1);
      const { events } = await uow.read((repos) =>
        repos.revocations.read({
          tenantId,
          snapshot: null,
          seen: null,
          retentionSeconds: 86_400,
          after: { xid: 0n, id: 0n },
          limit: 10,
        }),
      );
      expect(events).toHaveLength(1);
    });
  });
}
