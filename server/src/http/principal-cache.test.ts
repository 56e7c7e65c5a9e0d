// The cache's own rules (bypass, races, expiry); test/e2e/principal-cache.test.ts checks it over HTTP.
import { describe, expect, it } from 'vitest';
import { PrincipalCache } from './principal-cache.js';

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
