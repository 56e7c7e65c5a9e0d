// The server caches what authentication reads about a session, and relies on change
// notifications from database triggers to forget it. These tests make changes the ways
// that matter (through this server, through another server on the same database, and by
// hand in SQL) and require every server to decide on the new state.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GroupMembership } from '../../server/src/domains/groups/entities.js';
import { PrincipalCache } from '../../server/src/http/principal-cache.js';
import { withPg } from '../support/index.js';
import { expectOk, seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

// Two servers on one database, as two processes behind a load balancer would be.
const env = { ENFORCER_MASTER_KEY: randomBytes(32).toString('base64') };
const a = await startServer({ env });
const b = await startServer({ env, orm: a.orm });
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
    expect(a.app.services.principalCache.enabled).toBe(true);
    await canTransfer(a);
    const queries: string[] = [];
    const logger = a.orm.config.getLogger();
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (context) => {
      queries.push(context.query ?? '');
      original(context);
    };
    a.orm.config.set('debug', true);
    try {
      await canTransfer(a);
    } finally {
      a.orm.config.set('debug', false);
      logger.logQuery = original;
    }
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
    await withPg(a.orm.config.get('clientUrl')!, (client) =>
      client.query(
        'insert into group_membership (id, group_id, account_id, tenant_id, created_at) values (gen_random_uuid(), $1, $2, $3, now())',
        [verified.id, t.member.accountId, t.tenant.id],
      ),
    );
    await eventually(() => canTransfer(a), true);
    await eventually(() => canTransfer(b), true);
    await a.orm.em.fork().nativeDelete(GroupMembership, { account: t.member.accountId });
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

describe('PrincipalCache', () => {
  const row = (account: string, tenant = 't1') => ({
    revoked_at: null,
    account_id: account,
    person_id: 'p',
    tenant_id: tenant,
    role: 'member',
    active: true,
    grant_version: 1,
    policy_version: 1,
    groups: [],
  });

  it('is bypassed until enabled, and emptied when disabled', () => {
    const cache = new PrincipalCache();
    cache.set('s1', row('a1'), cache.generation);
    expect(cache.get('s1')).toBeUndefined();
    cache.enable();
    cache.set('s1', row('a1'), cache.generation);
    expect(cache.get('s1')).toEqual(row('a1'));
    cache.disable();
    cache.enable();
    expect(cache.get('s1')).toBeUndefined();
  });

  it('does not store a read that raced an invalidation', () => {
    const cache = new PrincipalCache();
    cache.enable();
    const before = cache.generation;
    cache.invalidate('a:a1'); // a change committed while the query ran
    cache.set('s1', row('a1'), before);
    expect(cache.get('s1')).toBeUndefined();
  });

  it('forgets by session, by account and by tenant, and on expiry', () => {
    let now = 0;
    const cache = new PrincipalCache({ ttlMs: 1000, now: () => now });
    cache.enable();
    const fill = () => {
      cache.set('s1', row('a1', 't1'), cache.generation);
      cache.set('s2', row('a2', 't1'), cache.generation);
      cache.set('s3', row('a3', 't2'), cache.generation);
    };
    fill();
    cache.invalidate('s:s1');
    expect([cache.get('s1'), cache.get('s2')].map(Boolean)).toEqual([false, true]);
    cache.invalidate('a:a2');
    expect(cache.get('s2')).toBeUndefined();
    fill();
    cache.invalidate('t:t1');
    expect([cache.get('s1'), cache.get('s2'), cache.get('s3')].map(Boolean)).toEqual([false, false, true]);
    now = 1000;
    expect(cache.get('s3')).toBeUndefined();
  });
});
