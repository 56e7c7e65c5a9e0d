// Issue #11: no request can take Enforcer down. For every route of the contract, valid requests from
// the zod schemas, then hostile ones (see ./pools.ts), as an owner, a member, an API key and
// anonymously, against `server/src/main.ts` in a child process on a real PostgreSQL. Asserts: no 5xx,
// every 4xx a problem document with a catalogued code, the server alive after every route, and a
// refused request changes nothing that can be read back. See docs/testing.md.
//
//   pnpm exec vitest run test/fuzz                      the CI budget (FUZZ_REQUESTS, default 3000)
//   FUZZ_SEED=123 pnpm exec vitest run test/fuzz        replay a run
//   pnpm fuzz:long                                      30,000 requests
//   FUZZ_REPORT=1 pnpm exec vitest run test/fuzz        print the findings, do not fail
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { RAISED_RATE_LIMITS, startTestServer, type TestServer } from '@enforcer/server/testing';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  contractRoutes,
  type FuzzContext,
  formatReport,
  type PrincipalName,
  type RunResult,
  run,
} from './fuzzer';
import { freePort, ServerProcess } from './server-process';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const requests = Number(process.env.FUZZ_REQUESTS ?? 3000);
const reportOnly = ['1', 'true'].includes(process.env.FUZZ_REPORT ?? '');
const only = process.env.FUZZ_ROUTES?.split(',').map((s) => s.trim());

/** Tables whose rows someone can read back through the API (sessions, challenges, audit, throttles excluded). */
const SNAPSHOT_TABLES = [
  'tenant',
  'person',
  'account',
  'api_key',
  'tenant_group',
  'group_membership',
  'invite',
  'magic_link_setting',
  'person_identity',
  'passkey_credential',
  'password_credential',
  'totp_credential',
  'recovery_code',
  // #16 and #18: applications, webhook endpoints, the KYC and messaging modules' settings (the webhook worker
  // is off in a test server: nothing changes these rows between two requests but the requests).
  'application',
  'webhook_endpoint',
  'kyc_setting',
  'messaging_setting',
  'message_template',
];
/** Columns that legitimately change on a read (bookkeeping, not state). */
const VOLATILE_COLUMNS = ['last_used_at', 'last_used_step'];

/** In process, on the same database: seeds, and starts sessions with the keys the child process uses. */
let enforcer: TestServer;
let server: ServerProcess;
let client: pg.Client;
let result: RunResult | undefined;

const tokens: Partial<Record<PrincipalName, string>> = {};
const ctx = {} as FuzzContext;
let apiKeyId = '';

beforeAll(async () => {
  const shared = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    ENFORCER_MASTER_KEY: randomBytes(32).toString('base64'),
    ENFORCER_ISSUER: 'http://localhost:8080/api/v1/enforcer',
  };
  enforcer = await startTestServer({ env: shared });
  const env = { ...shared, ...RAISED_RATE_LIMITS, DATABASE_URL: enforcer.db.url };
  client = new pg.Client({ connectionString: enforcer.db.url });
  await client.connect();

  const tenant = await enforcer.db.seedTenant({
    name: 'Fuzz Co',
    allowSignup: true,
    authProviders: ['email_otp'],
  });
  const addAccount = async (role: string) => {
    const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
    return (await enforcer.db.seedAccount({ tenantId: tenant.id, role, email })).accountId;
  };
  ctx.tenantId = tenant.id;
  ctx.tenantCode = tenant.code;
  ctx.ownerAccountId = await addAccount('owner');
  ctx.memberAccountId = await addAccount('member');
  ctx.victimAccountId = await addAccount('member');
  const group = await client.query('select id from tenant_group where tenant_id = $1 limit 1', [tenant.id]);
  ctx.groupId = group.rows[0]?.id;

  server = new ServerProcess(await freePort(), env);
  await server.start();
  await signIn();
  const created = await server.send({
    method: 'POST',
    path: '/api/v1/enforcer/api-keys',
    headers: { authorization: `Bearer ${tokens.owner}`, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ name: 'fuzz-key' })),
  });
  expect(created.status, created.text).toBe(201);
  tokens.api_key = JSON.parse(created.text).key;
  apiKeyId = JSON.parse(created.text).id;
  // A machine client (#18): the OAuth endpoints are fuzzed as it (HTTP Basic).
  const application = await server.send({
    method: 'POST',
    path: '/api/v1/enforcer/applications',
    headers: { authorization: `Bearer ${tokens.owner}`, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ name: 'fuzz-app', scopes: ['accounts.read'] })),
  });
  expect(application.status, application.text).toBe(201);
  const app = JSON.parse(application.text) as { client_id: string; client_secret: string };
  tokens.application = Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64');
  const policy = await server.send({
    method: 'GET',
    path: '/api/v1/enforcer/policy',
    headers: { authorization: `Bearer ${tokens.owner}` },
  });
  expect(policy.status, policy.text).toBe(200);
  ctx.policy = JSON.parse(policy.text);
  if (typeof ctx.policy === 'object' && ctx.policy && 'document' in ctx.policy) {
    ctx.policy = (ctx.policy as { document: unknown }).document;
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await client?.end();
  await enforcer?.close();
});

async function signIn() {
  for (const [name, accountId] of [
    ['owner', ctx.ownerAccountId],
    ['member', ctx.memberAccountId],
  ] as const) {
    const session = await enforcer.signIn({ accountId, amr: ['otp'] });
    tokens[name] = session.accessToken;
  }
}

/** Undo what successful requests may have done to the principals (logout, role change, deactivation, key revocation). */
async function resetPrincipals() {
  await client.query(`update account set active = true, role = 'owner', roles = '{owner}' where id = $1`, [
    ctx.ownerAccountId,
  ]);
  await client.query(
    `update account set active = true, role = 'member', roles = '{member}' where id = any($1)`,
    [[ctx.memberAccountId, ctx.victimAccountId]],
  );
  if (apiKeyId)
    await client.query('update api_key set revoked_at = null, expires_at = null where id = $1', [apiKeyId]);
  await signIn();
}

async function snapshot() {
  const parts = SNAPSHOT_TABLES.map(
    (t) =>
      `select '${t}' as t, md5(coalesce(string_agg(x.j, '|' order by x.j), '')) as h, count(*) filter (where x.j like '%' || chr(65533) || '%') as r from (select (to_jsonb(s) ${VOLATILE_COLUMNS.map((c) => `- '${c}'`).join(' ')})::text as j from "${t}" s) x`,
  );
  const { rows } = await client.query(parts.join(' union all '));
  const tables: Record<string, string> = {};
  let replacementChars = 0;
  for (const row of rows) {
    tables[row.t] = row.h;
    replacementChars += Number(row.r);
  }
  return { tables, replacementChars };
}

// The no-partial-writes check is only worth something if it can fail: a write it must see, a read it must not.
test('the snapshot sees a write and ignores a read', async () => {
  const before = await snapshot();
  const read = await server.send({
    method: 'GET',
    path: '/api/v1/enforcer/api-keys',
    headers: { 'x-api-key': tokens.api_key ?? '' },
  });
  expect(read.status, read.text).toBe(200);
  expect(await snapshot()).toEqual(before);
  await client.query(`update tenant set name = name || ' ' where id = $1`, [ctx.tenantId]);
  const after = await snapshot();
  expect(after.tables.tenant).not.toBe(before.tables.tenant);
  await client.query(`update tenant set name = rtrim(name) where id = $1`, [ctx.tenantId]);
  expect(await snapshot()).toEqual(before);
});

test(
  'no request takes Enforcer down (contract fuzzer)',
  async () => {
    const routes = contractRoutes().filter((r) => !only || only.includes(r.name));
    const replay = `FUZZ_SEED=${seed} FUZZ_REQUESTS=${requests}${only ? ` FUZZ_ROUTES=${only.join(',')}` : ''} pnpm exec vitest run test/fuzz`;
    console.log(`[fuzz] seed ${seed}, ${requests} requests over ${routes.length} routes; replay: ${replay}`);
    result = await run({
      server,
      routes,
      ctx,
      seed,
      requests,
      principals: {
        headers: (name): Record<string, string> =>
          name === 'anonymous'
            ? {}
            : name === 'application'
              ? { authorization: `Basic ${tokens.application ?? ''}` }
              : name === 'api_key'
                ? { 'x-api-key': tokens.api_key ?? '' }
                : { authorization: `Bearer ${tokens[name]}` },
      },
      resetPrincipals,
      ...(process.env.FUZZ_CRASHES_PER_FIELD
        ? { crashesPerTarget: Number(process.env.FUZZ_CRASHES_PER_FIELD) }
        : {}),
      afterRoute: async (route) => {
        if (route.name !== 'policy.put') return;
        await resetPrincipals();
        const restored = await server.send({
          method: 'PUT',
          path: '/api/v1/enforcer/policy',
          headers: { authorization: `Bearer ${tokens.owner}`, 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(ctx.policy)),
        });
        if (restored.status !== 200)
          console.log(`[fuzz] could not restore the policy: ${restored.status} ${restored.text}`);
      },
      snapshot,
      log: process.env.FUZZ_VERBOSE ? (line) => console.log(`[fuzz] ${line}`) : undefined,
    });
    const report = [
      `[fuzz] seed ${seed}: ${result.sent} requests (${result.fixed} fixed cases, the rest field × value; ${result.skipped} skipped after crashes) in ${(result.ms / 1000).toFixed(1)} s, ${result.restarts} server restart(s); answers ${JSON.stringify(result.statusCounts)}`,
      `[fuzz] ${result.findings.length} finding group(s), ${result.findings.reduce((n, f) => n + f.count, 0)} request(s):`,
      formatReport(result.findings),
      result.findings.length > 0 ? `[fuzz] replay: ${replay}` : '',
    ].join('\n');
    console.log(report);
    if (process.env.FUZZ_REPORT_FILE) writeFileSync(process.env.FUZZ_REPORT_FILE, `${report}\n`);
    // The count, not the list: a diff of the findings would print their request bodies in full.
    if (!reportOnly) expect(result.findings.length, report).toBe(0);
  },
  Math.max(600_000, requests * 200),
);
