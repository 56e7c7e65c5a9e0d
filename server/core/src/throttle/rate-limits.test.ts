import { describe, expect, it } from 'vitest';
import {
  RATE_LIMITS,
  type RateLimitCounterStore,
  RateLimiter,
  rateLimitClassOf,
  rateLimitHeaders,
} from './rate-limits.js';

const limits = {
  windowSeconds: 60,
  classes: { ...RATE_LIMITS.classes, other: { perCredential: 3, perIp: 5 } },
};

/** A shared store as PostgreSQL keeps it: one total per key and window. */
function sharedStore(): RateLimitCounterStore & { rows: Map<string, number> } {
  const rows = new Map<string, number>();
  return {
    rows,
    add: async (windowStart, hits) => {
      const totals = new Map<string, number>();
      for (const { key, hits: n } of hits) {
        const id = `${windowStart.toISOString()} ${key}`;
        rows.set(id, (rows.get(id) ?? 0) + n);
        totals.set(key, rows.get(id)!);
      }
      return totals;
    },
  };
}

describe('rateLimitClassOf', () => {
  it('puts /authorize, token, public POSTs, permission routes and the rest in their classes', () => {
    expect(rateLimitClassOf({ method: 'POST', path: '/authorize', auth: 'user_or_api_key' })).toBe(
      'authorize',
    );
    expect(rateLimitClassOf({ method: 'POST', path: '/authorize/batch' })).toBe('authorize');
    expect(rateLimitClassOf({ method: 'POST', path: '/auth/refresh', auth: 'none' })).toBe('token');
    expect(rateLimitClassOf({ method: 'POST', path: '/auth/login', auth: 'none' })).toBe('sign-in');
    expect(
      rateLimitClassOf({
        method: 'GET',
        path: '/groups',
        auth: 'user_or_api_key',
        permission: 'groups.read',
      }),
    ).toBe('admin');
    expect(rateLimitClassOf({ method: 'GET', path: '/auth/me', auth: 'user' })).toBe('other');
    expect(rateLimitClassOf({ method: 'GET', path: '/.well-known/jwks.json', auth: 'none' })).toBe('other');
  });
});

describe('RateLimiter', () => {
  it('counts per credential and per address, refuses past either without counting, starts again with the window', () => {
    let now = Date.UTC(2030, 0, 1, 0, 0, 10);
    const limiter = new RateLimiter({ limits, clock: { now: () => new Date(now) } });
    for (let i = 0; i < 3; i++) expect(limiter.hit('other', '192.0.2.1', 'cred').allowed).toBe(true);
    const refused = limiter.hit('other', '192.0.2.1', 'cred');
    expect(refused).toMatchObject({ allowed: false, resetSeconds: 50 });
    expect(refused.states).toEqual([
      { policy: 'other-credential', limit: 3, remaining: 0 },
      { policy: 'other-ip', limit: 5, remaining: 2 },
    ]);
    // The refused hit was not counted against the address.
    expect(limiter.hit('other', '192.0.2.1', null).states).toEqual([
      { policy: 'other-ip', limit: 5, remaining: 1 },
    ]);
    expect(limiter.hit('admin', '192.0.2.1', 'cred').allowed).toBe(true);
    now += 50_000;
    expect(limiter.hit('other', '192.0.2.1', 'cred').allowed).toBe(true);
  });

  it('shares counts through the store: each process decides with every process total as of its last sync', async () => {
    const store = sharedStore();
    const clock = { now: () => new Date(Date.UTC(2030, 0, 1)) };
    const one = new RateLimiter({ limits, clock, store });
    const two = new RateLimiter({ limits, clock, store });
    for (let i = 0; i < 3; i++) one.hit('other', '192.0.2.9', null);
    await one.sync();
    two.hit('other', '192.0.2.9', null);
    await two.sync();
    const decision = two.hit('other', '192.0.2.9', null);
    expect(decision).toMatchObject({ allowed: true, states: [{ remaining: 0 }] });
    expect(two.hit('other', '192.0.2.9', null).allowed).toBe(false);
    // One learns of two's hits at its next sync, though it had none of its own since.
    expect(one.hit('other', '192.0.2.9', null).allowed).toBe(true);
    await two.sync();
    await one.sync();
    expect(one.hit('other', '192.0.2.9', null).allowed).toBe(false);
    expect([...store.rows.values()]).toEqual([6]);
  });

  it('writes RateLimit-Policy and RateLimit as the IETF draft has them', () => {
    const limiter = new RateLimiter({
      limits,
      clock: { now: () => new Date(Date.UTC(2030, 0, 1, 0, 0, 45)) },
    });
    expect(rateLimitHeaders(limiter.hit('other', '2001:db8::1', 'c'))).toEqual({
      'ratelimit-policy': '"other-credential";q=3;w=60, "other-ip";q=5;w=60',
      ratelimit: '"other-credential";r=2;t=15, "other-ip";r=4;t=15',
    });
  });
});
