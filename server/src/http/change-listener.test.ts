// The change listener's barrier over a real PostgreSQL: calls share markers, and each still covers every
// notification committed before it was made.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestOrm } from '../testing/index.js';
import { CHANGES_CHANNEL, ChangeListener, PrincipalCache } from './principal-cache.js';

const db = await createTestOrm();
const cache = new PrincipalCache();
const listener = new ChangeListener({ url: db.url, cache });
await listener.start();
afterAll(async () => {
  await listener.close();
  await db.close();
});

const row = (account: string) => ({
  revoked_at: null,
  account_id: account,
  person_id: 'p',
  tenant_id: 't',
  roles: ['member'],
  active: true,
  grant_version: 1,
  policy_version: 1,
  groups: [],
});
/** A change committed by another connection, as a trigger would send it. */
const notify = (payload: string) =>
  db.orm.em.getConnection().execute('select pg_notify(?, ?)', [CHANGES_CHANNEL, payload]);

describe('ChangeListener.sync', () => {
  it('listens, and a sync covers a change committed before it', async () => {
    expect(cache.enabled).toBe(true);
    cache.set('s1', row('a1'), cache.generation);
    await notify('a:a1');
    await listener.sync();
    expect(cache.get('s1')).toBeUndefined();
  });

  it('many calls at once share at most two markers, and a call made while one is in flight waits for the next', async () => {
    const first = listener.sync();
    // Committed after the first marker was sent: only a marker sent later is behind it.
    cache.set('s2', row('a2'), cache.generation);
    await notify('a:a2');
    const before = listener.markersSent;
    const rest = Array.from({ length: 50 }, () => listener.sync());
    await Promise.all([first, ...rest]);
    expect(cache.get('s2')).toBeUndefined();
    expect(listener.markersSent - before).toBeGreaterThanOrEqual(1);
    expect(listener.markersSent - before).toBeLessThanOrEqual(2);
    expect(cache.enabled).toBe(true);
  });
});
