// The server caches what authentication reads about a session, and relies on change
// notifications from database triggers to forget it. These tests make changes the ways
// that matter (through this server, through another server on the same database, and by
// hand in SQL) and require every server to decide on the new state.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withPg } from '../support/index.js';
import { expectOk, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

// Two servers on one database, as two processes behind a load balancer would be.
const env = { ENFORCER_MASTER_KEY: randomBytes(32).toString('base64') };
const a = await startServer({ env });
const b = await startServer({ env, shareDatabaseWith: a });
const t = await seedTenant(a);
const verified = expectOk(await a.api('GET', '/groups', { apiKey: t.apiKey })).data.find(
  (g: { name: string }) => g.name === 'verified',
);

const canTransfer = async (server: typeof a) =>
  expectOk(
    await server.api('POST', '/authorize', { token: t.member.token, body: { action: 'transfers.create' } }),
  ).allowed as boolean;

/** Polls until `check` gives `want`, for at most two seconds; returns how many tries it took. */
async function eventually(check: () => Promise<boolean>, want: boolean): Promise<number> {
  for (let tries = 1; tries <= 100; tries++) {
    if ((await check()) === want) return tries;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`still not ${want} after two seconds`);
}

describe('the principal cache never outlives a change', () => {
  it('caches: a second request with the same token reads nothing from the database', async () => {
    expect(a.principalCacheEnabled).toBe(true);
    await canTransfer(a);
    const queries = await a.queriesDuring(() => canTransfer(a));
    expect(queries.filter((q) => q.includes('from session'))).toEqual([]);
  });

  it('a change made through this server is seen by its very next request', async () => {
    await a.api('DELETE', `/groups/${verified.id}/members/${t.member.accountId}`, { apiKey: t.apiKey });
    expect(await canTransfer(a)).toBe(false);
    expectOk(
      await a.api('POST', `/groups/${verified.id}/members`, {
        apiKey: t.apiKey,
        body: { account_id: t.member.accountId },
      }),
      201,
    );
    expect(await canTransfer(a)).toBe(true);
    await a.api('DELETE', `/groups/${verified.id}/members/${t.member.accountId}`, { apiKey: t.apiKey });
    expect(await canTransfer(a)).toBe(false);
  });

  it('a change made through another server reaches this one', async () => {
    expect(await canTransfer(b)).toBe(false); // b has it cached now
    expectOk(
      await a.api('POST', `/groups/${verified.id}/members`, {
        apiKey: t.apiKey,
        body: { account_id: t.member.accountId },
      }),
      201,
    );
    await eventually(() => canTransfer(b), true);
    await a.api('DELETE', `/groups/${verified.id}/members/${t.member.accountId}`, { apiKey: t.apiKey });
    await eventually(() => canTransfer(b), false);
  });

  it('a change made by hand in SQL reaches every server', async () => {
    expect(await canTransfer(a)).toBe(false);
    expect(await canTransfer(b)).toBe(false);
    await withPg(a.db.url, (client) =>
      client.query(
        'insert into group_membership (id, group_id, account_id, tenant_id, created_at) values (gen_random_uuid(), $1, $2, $3, now())',
        [verified.id, t.member.accountId, t.tenant.id],
      ),
    );
    await eventually(() => canTransfer(a), true);
    await eventually(() => canTransfer(b), true);
    await a.db.removeFromAllGroups(t.member.accountId);
    await eventually(() => canTransfer(a), false);
    await eventually(() => canTransfer(b), false);
  });

  it('a revoked session is refused by every server', async () => {
    const member = await t.addAccount('member');
    const me = (server: typeof a) => server.api('GET', '/auth/me', { token: member.token });
    expect((await me(a)).status).toBe(200);
    expect((await me(b)).status).toBe(200);
    expect((await a.api('POST', '/auth/logout', { token: member.token, body: {} })).status).toBe(204);
    expect((await me(a)).status).toBe(401);
    await eventually(async () => (await me(b)).status === 401, true);
  });
});
