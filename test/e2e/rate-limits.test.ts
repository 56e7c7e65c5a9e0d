// The general rate limit on every route (#18), over HTTP on PostgreSQL: per client address and per
// credential, per route class, with the IETF RateLimit headers on every answer; two server processes on one
// database share the counts (each app below keeps its own in-memory counts, as a second process would).
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { expectOk, expectProblem, seedTenant } from './admin-setup.js';
import { type ApiResponse, startServer } from './harness.js';

const SYNC_MS = 50;
const ORIGIN = 'https://app.example.test';
const env = {
  // One master key: the servers share the signing keys, as processes of one deployment do.
  ENFORCER_MASTER_KEY: randomBytes(32).toString('base64'),
  TRUST_PROXY: 'true',
  RATE_LIMIT_SYNC_MS: String(SYNC_MS),
  RATE_LIMIT_OTHER_PER_IP: '5',
  RATE_LIMIT_OTHER_PER_CREDENTIAL: '4',
  RATE_LIMIT_SIGN_IN_PER_IP: '3',
  RATE_LIMIT_AUTHORIZE_PER_CREDENTIAL: '600000',
  RATE_LIMIT_AUTHORIZE_PER_IP: '600000',
  ENFORCER_CORS_ORIGINS: ORIGIN,
};
const a = await startServer({ env });
const b = await startServer({ shareDatabaseWith: a, env });
const t = await seedTenant(a);

let clients = 0;
/** A client address of its own per test (the servers trust X-Forwarded-For here). */
const newClient = () => `198.51.100.${++clients}`;
const jwks = (server: typeof a, ip: string, headers: Record<string, string> = {}) =>
  server.api('GET', '/.well-known/jwks.json', { headers: { 'x-forwarded-for': ip, ...headers } });
/** Waits for both servers' background syncs to have run (several intervals). */
const synced = () => delay(SYNC_MS * 8);

const remaining = (response: ApiResponse, policy: string) => {
  const match = new RegExp(`"${policy}";r=(\\d+);t=(\\d+)`).exec(response.headers.get('ratelimit') ?? '');
  return match ? Number(match[1]) : undefined;
};

describe('per client address', () => {
  it('answers under the limit untouched, with RateLimit-Policy and RateLimit counting down', async () => {
    const ip = newClient();
    for (let i = 1; i <= 5; i++) {
      const response = await jwks(a, ip);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"other-ip";q=5;w=60');
      expect(remaining(response, 'other-ip')).toBe(5 - i);
      const reset = Number(/;t=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1]);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
    }
  });

  it('answers 429 rate_limited with Retry-After over the limit; another address and another class are not affected', async () => {
    const ip = newClient();
    for (let i = 0; i < 5; i++) expect((await jwks(a, ip)).status).toBe(200);
    const refused = await jwks(a, ip);
    expectProblem(refused, 429, 'rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-policy')).toBe('"other-ip";q=5;w=60');
    expect(remaining(refused, 'other-ip')).toBe(0);
    // Refused requests are not counted, and the limit is per address and per class.
    expect((await jwks(a, newClient())).status).toBe(200);
    const signIn = await a.api('POST', '/auth/otp/request', {
      headers: { 'x-forwarded-for': ip },
      body: { email: 'someone@example.com', tenant_code: t.tenant.code },
    });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('ratelimit-policy')).toBe('"sign-in-ip";q=3;w=60');
  });

  it('groups IPv6 addresses by their /64', async () => {
    for (let i = 1; i <= 5; i++) expect((await jwks(a, `2001:db8:99:1::${i}`)).status).toBe(200);
    expectProblem(await jwks(a, '2001:db8:99:1:abcd::7'), 429, 'rate_limited');
    expect((await jwks(a, '2001:db8:99:2::1')).status).toBe(200);
  });

  it('lets a browser on an allowed origin read the 429 and the headers (CORS exposes them)', async () => {
    const ip = newClient();
    for (let i = 0; i < 5; i++) await jwks(a, ip, { origin: ORIGIN });
    const refused = await jwks(a, ip, { origin: ORIGIN });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const exposed = (refused.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'ratelimit', 'ratelimit-policy']));
  });
});

describe('per credential', () => {
  it('counts a credential whatever the address it comes from (checked before it is verified)', async () => {
    const headers = { authorization: 'Bearer not-a-real-token' };
    for (let i = 0; i < 4; i++) {
      const response = await a.api('GET', '/auth/me', {
        headers: { ...headers, 'x-forwarded-for': newClient() },
      });
      expect(response.status).toBe(401);
      expect(remaining(response, 'other-credential')).toBe(3 - i);
    }
    const refused = await a.api('GET', '/auth/me', {
      headers: { ...headers, 'x-forwarded-for': newClient() },
    });
    expectProblem(refused, 429, 'rate_limited');
    // Another credential from the same kind of place is fine.
    const other = await a.api('GET', '/auth/me', {
      token: t.member.token,
      headers: { 'x-forwarded-for': newClient() },
    });
    expect(other.status).toBe(200);
  });

  it('gives /authorize a backend-sized budget: a burst from one key and address is untouched', async () => {
    const ip = newClient();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        a.api('POST', '/authorize', {
          token: t.member.token,
          headers: { 'x-forwarded-for': ip },
          body: { action: 'transfers.create' },
        }),
      ),
    );
    for (const answer of answers) expectOk(answer);
    const last = answers.at(-1)!;
    expect(last.headers.get('ratelimit-policy')).toBe(
      '"authorize-credential";q=600000;w=60, "authorize-ip";q=600000;w=60',
    );
    expect(remaining(last, 'authorize-ip')).toBeGreaterThanOrEqual(600_000 - 200);
  });

  it('counts /authorize in memory: no rate-limit statement on the request path', async () => {
    const quiet = await startServer({ shareDatabaseWith: a, env: { ...env, RATE_LIMIT_SYNC_MS: '60000' } });
    const queries = await quiet.queriesDuring(async () => {
      for (let i = 0; i < 20; i++) {
        expectOk(
          await quiet.api('POST', '/authorize', {
            token: t.member.token,
            body: { action: 'transfers.create' },
          }),
        );
      }
    });
    expect(queries.length).toBeGreaterThan(0);
    // The ORMs share their query logger, so a's background syncs can show up here: only this server's keys
    // (its requests come from 127.0.0.1 without X-Forwarded-For; a's /authorize traffic never does) count.
    expect(
      queries.filter((q) => q.includes('rate_limit_counter') && q.includes('authorize:ip:127.0.0.1')),
    ).toEqual([]);
    await quiet.close();
  });
});

describe('two server processes on one database', () => {
  it('share the count: hits on one are seen by the other after a sync, and both refuse past the limit', async () => {
    const ip = newClient();
    for (let i = 0; i < 3; i++) expect((await jwks(a, ip)).status).toBe(200);
    await synced();
    // b had not seen this address: its first hit counts locally, and its sync brings a's three.
    expect((await jwks(b, ip)).status).toBe(200);
    await synced();
    const fifth = await jwks(b, ip);
    expect(fifth.status).toBe(200);
    expect(remaining(fifth, 'other-ip')).toBe(0);
    expectProblem(await jwks(b, ip), 429, 'rate_limited');
    await synced();
    // a counted three itself, and now knows of b's two.
    expectProblem(await jwks(a, ip), 429, 'rate_limited');
    const rows = await a.db.records('rateLimitCounters').find({ key: `other:ip:${ip}` });
    expect(rows.map((row) => row.hits)).toEqual([5]);
  });
});

// A process of the same deployment with small budgets for each class (the counts are shared through the
// database, so this file's other tests use credentials and addresses of their own).
const strict = await startServer({
  shareDatabaseWith: a,
  env: {
    ...env,
    RATE_LIMIT_SIGN_IN_PER_IP: '3',
    RATE_LIMIT_TOKEN_PER_IP: '2',
    RATE_LIMIT_ADMIN_PER_CREDENTIAL: '2',
    RATE_LIMIT_AUTHORIZE_PER_CREDENTIAL: '3',
  },
});
const s = await seedTenant(strict, 'Strict');

describe('every route class, crossed', () => {
  /** The refusal: 429 rate_limited, Retry-After within the window, the policy named with nothing left. */
  const expectRefused = (response: ApiResponse, policy: string, quota: number) => {
    expectProblem(response, 429, 'rate_limited');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.headers.get('ratelimit-policy')).toContain(`"${policy}";q=${quota};w=60`);
    expect(remaining(response, policy)).toBe(0);
  };

  it('sign-in (per address): three code requests answered, the fourth 429; another address untouched', async () => {
    const ip = newClient();
    const ask = (from: string) =>
      strict.api('POST', '/auth/otp/request', {
        headers: { 'x-forwarded-for': from },
        body: { email: `crossed-${randomBytes(3).toString('hex')}@example.com`, tenant_code: s.tenant.code },
      });
    for (let i = 0; i < 3; i++) expect((await ask(ip)).status).toBe(200);
    expectRefused(await ask(ip), 'sign-in-ip', 3);
    expect((await ask(newClient())).status).toBe(200);
  });

  it('token (per address): refresh and /oauth/token share it; the third is 429; another address untouched', async () => {
    const ip = newClient();
    const refresh = (from: string) =>
      strict.api('POST', '/auth/refresh', {
        headers: { 'x-forwarded-for': from },
        body: { refresh_token: `ert_${'x'.repeat(43)}` },
      });
    const oauth = (from: string) =>
      strict.api('POST', '/oauth/token', {
        headers: { 'x-forwarded-for': from },
        raw: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
      });
    expect((await refresh(ip)).status).toBe(401);
    expect((await oauth(ip)).status).toBe(401);
    expectRefused(await refresh(ip), 'token-ip', 2);
    expectRefused(await oauth(ip), 'token-ip', 2);
    const other = await refresh(newClient());
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('refresh_token_invalid');
  });

  it('admin (per credential): two reads (GET /applications) with one API key, the third 429 whatever the address; another credential untouched', async () => {
    const groups = (credential: { apiKey?: string; token?: string }) =>
      strict.api('GET', '/applications', { ...credential, headers: { 'x-forwarded-for': newClient() } });
    for (let i = 0; i < 2; i++) expectOk(await groups({ apiKey: s.apiKey }));
    expectRefused(await groups({ apiKey: s.apiKey }), 'admin-credential', 2);
    expectOk(await groups({ token: s.owner.token }));
  });

  it('authorize (per credential): three decisions, the fourth 429; another credential untouched', async () => {
    const decide = (token: string) =>
      strict.api('POST', '/authorize', {
        token,
        headers: { 'x-forwarded-for': newClient() },
        body: { action: 'transfers.create' },
      });
    for (let i = 0; i < 3; i++) expectOk(await decide(s.member.token));
    expectRefused(await decide(s.member.token), 'authorize-credential', 3);
    expectOk(await decide(s.admin.token));
  });
});
