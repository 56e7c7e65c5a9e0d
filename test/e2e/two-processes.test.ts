// More than one server (#18): two Enforcer processes (`server/src/main.ts`, what `pnpm start` runs) on one
// PostgreSQL database, started at the same moment on a database nobody migrated yet. Nothing a process
// keeps in memory may change an answer the other gives: a refresh token raced across both yields one
// successor, throttles count across both, the revocation feed is the same from both, and a key rotation
// done elsewhere (the CLI) reaches both within their key cache's lifetime.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withPg } from '../support/index.js';
import { expectProblem, wrongCode } from './auth-fixtures.js';
import { type EnforcerProcess, startEnforcer, waitFor } from './db-resilience-process.js';
import type { Api } from './harness.js';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'server');
// An empty database: the two processes race to migrate it.
const db = await createTestDatabase({ template: 'template0' });
const env = {
  DATABASE_URL: db.url,
  // What every process behind one load balancer shares: the master key and the issuer (without it each
  // process would name itself by its own port, and refuse the other's tokens).
  ENFORCER_MASTER_KEY: randomBytes(32).toString('base64'),
  ENFORCER_ISSUER: 'https://auth.example.test/api/v1/enforcer',
  // Re-read the signing keys every second (default 60 s), so the rotation test need not wait a minute.
  SIGNING_KEY_CACHE_TTL: '1',
  LOG_LEVEL: 'info',
};
const dataDirs: string[] = [];
let a: EnforcerProcess;
let b: EnforcerProcess;

beforeAll(async () => {
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'enforcer-two-'));
    dataDirs.push(dir);
    return dir;
  };
  [a, b] = await Promise.all([startEnforcer(dataDir(), env), startEnforcer(dataDir(), env)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** A tenant made through A, its owner signed in through B: the code A issued is good at B. */
async function ownerOf(
  name: string,
): Promise<{ email: string; token: string; refresh: string; tenantCode: string }> {
  const email = `owner-${randomBytes(4).toString('hex')}@example.com`;
  const code = await a.api('POST', '/auth/otp/request', { body: { email } });
  expect(code.status).toBe(200);
  const tenant = await b.api('POST', '/tenants/self-serve', {
    body: { name, admin_email: email, otp: code.body.code },
  });
  expect(tenant.status).toBe(201);
  return {
    email,
    token: tenant.body.token,
    refresh: tenant.body.refresh_token,
    tenantCode: tenant.body.tenant.code,
  };
}

describe('two processes on one database', () => {
  it('both started on an unmigrated database: each migration applied once, by one of them', async () => {
    const rows = await withPg(db.url, (client) =>
      client.query<{ name: string; n: number }>(
        'select name, count(*)::int as n from mikro_orm_migrations group by name order by name',
      ),
    );
    expect(rows.rows.length).toBeGreaterThan(10);
    expect(rows.rows.filter((row) => row.n !== 1)).toEqual([]);
    const ready = await Promise.all([a.api('GET', '/readyz'), b.api('GET', '/readyz')]);
    expect(ready.map((r) => r.status)).toEqual([200, 200]);
  });

  it('a refresh token raced across both yields one successor; spending the old one later is reuse', async () => {
    const owner = await ownerOf('Race');
    const refresh = (api: Api, token: string) =>
      api('POST', '/auth/refresh', { body: { refresh_token: token } });
    const answers = await Promise.all([
      refresh(a.api, owner.refresh),
      refresh(b.api, owner.refresh),
      refresh(a.api, owner.refresh),
      refresh(b.api, owner.refresh),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const successors = new Set(answers.map((r) => r.body.refresh_token as string));
    expect(successors.size).toBe(1); // the grace window hands every racer the same successor
    const [successor] = [...successors];
    // The successor rotates on B; then the first token, spent and superseded, is reuse on A: the session ends.
    const next = await refresh(b.api, successor!);
    expect(next.status).toBe(200);
    expectProblem(await refresh(a.api, owner.refresh), 401, 'refresh_token_reused');
    expectProblem(await refresh(b.api, next.body.refresh_token), 401, 'refresh_token_invalid');
  });

  it('counts wrong codes across both: the fifth wrong try burns the code whichever process saw the others', async () => {
    const owner = await ownerOf('Throttle');
    const code = await a.api('POST', '/auth/otp/request', {
      body: { email: owner.email, tenant_code: owner.tenantCode },
    });
    expect(code.status).toBe(200);
    const login = (api: Api, otp: string) =>
      api('POST', '/auth/login', {
        body: { provider: 'email_otp', email: owner.email, otp, tenant_code: owner.tenantCode },
      });
    const wrong = wrongCode(code.body.code);
    for (const api of [a.api, b.api, a.api, b.api])
      expectProblem(await login(api, wrong), 401, 'invalid_otp');
    expectProblem(await login(b.api, wrong), 429, 'otp_attempts_exceeded');
    expectProblem(await login(a.api, code.body.code), 429, 'otp_attempts_exceeded');
  });

  it('a logout on one is in the revocation feed of both, and its token is refused by both', async () => {
    const owner = await ownerOf('Feed');
    const key = await a.api('POST', '/api-keys', { token: owner.token, body: { name: 'feed' } });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    expect((await b.api('GET', '/auth/me', { token: owner.token })).status).toBe(200);
    expect((await a.api('POST', '/auth/logout', { token: owner.token, body: {} })).status).toBeLessThan(300);
    const feed = async (api: Api) => {
      const answer = await api('GET', '/revocations', { apiKey: key.body.key });
      expect(answer.status).toBe(200);
      return answer.body;
    };
    const [fromA, fromB] = await Promise.all([feed(a.api), feed(b.api)]);
    // The same revocations; the cursor may differ (it carries the database's snapshot, which background
    // writers such as the rate-limit sync move on between the two reads).
    expect(fromB.sessions).toEqual(fromA.sessions);
    expect(fromB.accounts).toEqual(fromA.accounts);
    expect(JSON.stringify(fromA)).toContain(decodeSid(owner.token));
    // B had this token's session in its principal cache; the logout on A must still reach it.
    expectProblem(await b.api('GET', '/auth/me', { token: owner.token }), 401, 'token_invalid');
    expectProblem(await a.api('GET', '/auth/me', { token: owner.token }), 401, 'token_invalid');
  });

  it("a key rotation by the CLI reaches both: each publishes the new key and signs with it, and each accepts the other's tokens", async () => {
    const kids = async (api: Api) =>
      ((await api('GET', '/.well-known/jwks.json')).body.keys as { kid: string }[]).map((k) => k.kid).sort();
    const before = await kids(a.api);
    expect(await kids(b.api)).toEqual(before);
    await rotateKeys();
    expect(await waitFor(async () => (await kids(a.api)).join() !== before.join(), 10_000)).toBe(true);
    expect(await waitFor(async () => (await kids(b.api)).join() === (await kids(a.api)).join(), 10_000)).toBe(
      true,
    );
    const fresh = await ownerOf('Rotated');
    const active = await withPg(db.url, (client) =>
      client.query<{ kid: string }>("select kid from signing_key where status = 'active'"),
    );
    // The token B minted after the rotation (self-serve ran there) is signed by the new active key...
    expect(headerKid(fresh.token)).toBe(active.rows[0]!.kid);
    // ...and A accepts it.
    expect((await a.api('GET', '/auth/me', { token: fresh.token })).status).toBe(200);
  });
});

function decodeSid(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;
}
function headerKid(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
}

/** `pnpm --filter @enforcer/server rotate-keys --force`, on the same database. */
async function rotateKeys(): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'src/cli/rotate-keys.ts', '--force'],
    {
      cwd: serverDir,
      env: { ...process.env, ...env, NODE_ENV: 'development', ENFORCER_DATA_DIR: dataDirs[0]! },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`rotate-keys exited ${code}:\n${output}`);
}
