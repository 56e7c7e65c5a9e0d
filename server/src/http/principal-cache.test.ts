// The cache's own rules (bypass, races, expiry); test/e2e/principal-cache.test.ts checks it over HTTP.
import { describe, expect, it } from 'vitest';
import { type CachedPrincipal, PrincipalCache } from './principal-cache.js';

describe('PrincipalCache', () => {
  const row = (account: string, tenant = 't1'): CachedPrincipal => ({
    revoked_at: null,
    account_id: account,
    person_id: 'p',
    tenant_id: tenant,
    roles: ['member'],
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

  it('spreads expiry over the last fifth of the TTL, so entries stored together do not expire together', () => {
    let now = 0;
    let random = 0;
    const cache = new PrincipalCache({ ttlMs: 1000, now: () => now, random: () => random });
    cache.enable();
    cache.set('early', row('a1'), cache.generation); // expires at 800
    random = 0.5;
    cache.set('late', row('a2'), cache.generation); // expires at 900
    now = 799;
    expect([cache.get('early'), cache.get('late')].map(Boolean)).toEqual([true, true]);
    now = 800;
    expect([cache.get('early'), cache.get('late')].map(Boolean)).toEqual([false, true]);
    now = 900;
    expect(cache.get('late')).toBeUndefined();
  });

  it('merges concurrent misses for one session into one read, then serves the cache', async () => {
    const cache = new PrincipalCache();
    cache.enable();
    let reads = 0;
    let answer!: (found: CachedPrincipal) => void;
    const read = () => {
      reads++;
      return new Promise<CachedPrincipal>((resolve) => (answer = resolve));
    };
    const waiting = [cache.load('s1', read), cache.load('s1', read), cache.load('s1', read)];
    answer(row('a1'));
    expect(await Promise.all(waiting)).toEqual([row('a1'), row('a1'), row('a1')]);
    expect(await cache.load('s1', read)).toEqual(row('a1'));
    expect(reads).toBe(1);
  });

  it('never lets a request that starts after an invalidation join a read that began before it', async () => {
    const cache = new PrincipalCache();
    cache.enable();
    const answers: ((found: CachedPrincipal) => void)[] = [];
    const read = () => new Promise<CachedPrincipal>((resolve) => answers.push(resolve));
    const before = cache.load('s1', read);
    cache.invalidate('s:s1'); // the session was revoked while the first read ran
    const after = cache.load('s1', read);
    expect(answers).toHaveLength(2);
    answers[0]!({ ...row('a1'), revoked_at: null });
    answers[1]!({ ...row('a1'), revoked_at: new Date(0) });
    expect((await before)?.revoked_at).toBeNull();
    expect((await after)?.revoked_at).toEqual(new Date(0));
    // What stays cached is the read made after the change, never the one that raced it.
    expect(cache.get('s1')?.revoked_at ?? null).not.toBeNull();
  });
});
