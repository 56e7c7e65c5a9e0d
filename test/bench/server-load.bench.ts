import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startDatabase } from '@enforcer/server';
import { argon2Hasher, startTestServer, type TestServer } from '@enforcer/server/testing';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { withPg } from '../support/pg';
import type { ChainRunResult } from './code-signin-runner';
import { findPostmaster, nodeCpuMs, pgCpuMs } from './cpu';
import { CONNECTIONS, check, DURATION, runLoad } from './load';
import type { Figure } from './measure';

/**
 * Load on the real server: `POST /authorize` and `POST /auth/refresh`, beside a bare
 * Fastify route that does only the same JWT verification (jose, the same ES256 key set),
 * in the same run. The load comes from autocannon in a separate process (load-runner.ts).
 * The server, its embedded PostgreSQL and the load generator share the machine's cores.
 *
 * A figure counts only if the run did what it claims: every answer 200 with the expected body
 * (no errors, timeouts or mismatches), and for refresh, one rotation in the database per answer
 * (a replayed, already rotated token is answered from the grace window without rotating).
 */

export interface LoadFigure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Answers received, all checked (status 200, expected body). */
  answers: number;
  /** Writing benches: rows written in the database during the run (refresh: rotations; sign-in: sessions). */
  written?: number;
  /** CPU milliseconds per answer: the server's Node.js process, and PostgreSQL (all its processes). */
  nodeCpuMs?: number;
  pgCpuMs?: number;
}

/** The bench's PostgreSQL cluster (its postmaster's pid), for the CPU per answer; set once it runs. */
let postmaster: number | undefined;

/**
 * What one run of a writing bench must have written, one row per answer: refresh, a rotation (each run has
 * its own chains: fresh sessions, since a spent token would be reuse); sign-in, a session.
 */
export interface CountedRun {
  /** Refresh: one starting token per connection, each connection following its own chain. */
  tokens?: string[];
  /** Rows of this kind so far (refresh tokens of the run's sessions rotated, sessions of the account). */
  written(): Promise<number>;
}

async function measure(
  name: string,
  config: Record<string, unknown>,
  /** For writing benches: one run each for the warm-up, the maximum and the half rate. */
  countedRuns?: CountedRun[],
): Promise<{ max: LoadFigure; half: LoadFigure }> {
  const base = { connections: CONNECTIONS, durationSeconds: DURATION, ...config };
  const run = async (label: string, i: number, extra: Record<string, unknown>) => {
    const counted = countedRuns?.[i];
    const writtenBefore = counted ? await counted.written() : 0;
    const before = { node: nodeCpuMs(), pg: pgCpuMs(postmaster) };
    const r = await runLoad({
      ...base,
      ...extra,
      ...(counted?.tokens ? { refreshTokens: counted.tokens } : {}),
    });
    const pgAfter = pgCpuMs(postmaster);
    const cpu = {
      nodeCpuMs: (nodeCpuMs() - before.node) / r.requests.total,
      ...(pgAfter !== undefined &&
        before.pg !== undefined && { pgCpuMs: (pgAfter - before.pg) / r.requests.total }),
    };
    check(label, r);
    if (!counted) return { r, written: undefined, cpu };
    const written = (await settled(() => counted.written())) - writtenBefore;
    // Answered requests all wrote; a request still in flight at the end may have written too.
    if (written < r.requests.total || written > r.requests.sent)
      throw new Error(
        `${label}: ${written} rows written for ${r.requests.total} answers (${r.requests.sent} sent): not one per request`,
      );
    return { r, written, cpu };
  };
  await run(`${name} (warm-up)`, 0, { durationSeconds: 2 });
  const max = await run(`${name} (max)`, 1, {});
  const halfRate = Math.max(1, Math.floor(max.r.requests.average / 2));
  const half = await run(`${name} (at ${halfRate} req/s)`, 2, { overallRate: halfRate });
  const figure = (label: string, { r, written, cpu }: typeof max): LoadFigure => ({
    name: label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    answers: r.requests.total,
    ...(written !== undefined && { written }),
    ...cpu,
  });
  return { max: figure(`${name} (max)`, max), half: figure(`${name} (at ${halfRate} req/s)`, half) };
}

/**
 * Reads until the count has not moved for a second: requests still in flight when the run ended finish
 * first (a sign-in under load can take most of a second).
 */
async function settled(read: () => Promise<number>): Promise<number> {
  let last = await read();
  let still = 0;
  for (let i = 0; i < 100 && still < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await read();
    still = next === last ? still + 1 : 0;
    last = next;
  }
  return last;
}

/** A run of sign-in with an email code: a figure per sign-in (two requests and a mail each). */
export interface CodeSignInFigure extends LoadFigure {
  /** p50 / p99 of each step alone (ms): the code request's answer, the wait for the mail, the login's answer. */
  steps: ChainRunResult['steps'];
}

/** One run of code-signin-runner.ts, with every mail the server delivers forwarded to it as it goes. */
function runChains(
  app: TestServer,
  config: Record<string, unknown> & { emails: string[] },
): Promise<ChainRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('./code-signin-runner.ts', import.meta.url).pathname,
        JSON.stringify(config),
      ],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    const ours = new Set(config.emails);
    const unsubscribe = app.onMail((mail) => {
      if (ours.has(mail.to) && child.connected) child.send({ to: mail.to, text: mail.text });
    });
    if (!unsubscribe) {
      child.kill();
      reject(
        new Error('the server delivers mail by SMTP: the bench reads codes from the development delivery'),
      );
      return;
    }
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      unsubscribe();
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`code sign-in runner exited ${code}`));
    });
  });
}

/**
 * Sign-in with an email code, each virtual client running its own chain (code-signin-runner.ts): a warm-up,
 * the maximum rate, then half of it. Every run has people of its own (one per client), and is checked
 * in the database afterwards: one new session per sign-in, one code spent per sign-in, the outbox empty.
 */
export async function measureCodeSignIns(
  app: TestServer,
  dbUrl: string,
  tenant: { id: string; code: string },
): Promise<{ max: CodeSignInFigure; half: CodeSignInFigure }> {
  const name = 'sign-in with an email code';
  const run = async (
    label: string,
    runIndex: number,
    extra: { durationSeconds: number; overallRate?: number },
  ) => {
    const people = await Promise.all(
      Array.from({ length: CONNECTIONS }, (_, i) =>
        app.db.seedAccount({ tenantId: tenant.id, email: `bench-code-${runIndex}-${i}@example.com` }),
      ),
    );
    const emails = people.map((p) => p.email);
    const accountIds = people.map((p) => p.accountId);
    const counts = () =>
      withPg(dbUrl, async (client) => {
        const one = async (sql: string, params: unknown[]) =>
          (await client.query<{ n: number }>(sql, params)).rows[0]!.n;
        return {
          sessions: await one('select count(*)::int as n from session where account_id = any($1::uuid[])', [
            accountIds,
          ]),
          spent: await one(
            "select count(*)::int as n from otp_challenge where email = any($1::text[]) and purpose = 'login' and consumed_at is not null",
            [emails],
          ),
          queued: await one('select count(*)::int as n from outbound_message where tenant_id = $1', [
            tenant.id,
          ]),
        };
      });
    const before = { node: nodeCpuMs(), pg: pgCpuMs(postmaster) };
    const r = await runChains(app, { baseUrl: app.baseUrl, tenantCode: tenant.code, emails, ...extra });
    const pgAfter = pgCpuMs(postmaster);
    const nodeAfter = nodeCpuMs();
    const failed = Object.entries(r.failures);
    if (failed.length > 0 || r.signIns === 0)
      throw new Error(
        `${label}: ${r.signIns} sign-ins; failed chains: ${failed.map(([reason, { count, example }]) => `${reason} ×${count} (${example})`).join('; ') || 'none'}`,
      );
    // Every chain has ended (the runner waits for the ones under way): the counts are exact.
    const after = await counts();
    if (after.sessions !== r.signIns || after.spent !== r.signIns || after.queued !== 0)
      throw new Error(
        `${label}: ${r.signIns} sign-ins answered 200, but ${after.sessions} sessions, ${after.spent} codes spent and ${after.queued} mails still queued in the database`,
      );
    return {
      name: label,
      rps: r.rate,
      // Whole milliseconds, as autocannon gives the other rows'.
      p50: Math.round(r.latency.p50),
      p99: Math.round(r.latency.p99),
      non2xx: 0,
      answers: r.signIns,
      written: after.sessions,
      steps: r.steps,
      nodeCpuMs: (nodeAfter - before.node) / r.signIns,
      ...(pgAfter !== undefined && before.pg !== undefined && { pgCpuMs: (pgAfter - before.pg) / r.signIns }),
    } satisfies CodeSignInFigure;
  };
  await run(`${name} (warm-up)`, 0, { durationSeconds: 2 });
  const max = await run(`${name} (max)`, 1, { durationSeconds: DURATION });
  const halfRate = Math.max(1, Math.floor(max.rps / 2));
  const half = await run(`${name} (at ${halfRate} sign-ins/s)`, 2, {
    durationSeconds: DURATION,
    overallRate: halfRate,
  });
  return { max, half };
}

export interface ServerLoadResult {
  bare: { max: LoadFigure; half: LoadFigure };
  authorize: { max: LoadFigure; half: LoadFigure };
  refresh: { max: LoadFigure; half: LoadFigure };
  passwordLogin: { max: LoadFigure; half: LoadFigure };
  /** Absent when the server measured has no mail capture (`onMail`: a base of `pnpm bench:compare` before it). */
  codeLogin?: { max: CodeSignInFigure; half: CodeSignInFigure };
  /** argon2id verifications per second with the server's settings, on every core: sign-in's ceiling. */
  argon2PerSecond: number;
}

/**
 * The most password sign-ins this machine could do: argon2id verifications per second with the server's
 * parameters, as many at once as libuv's thread pool runs (4 by default, on 2 cores here), for 3 s.
 */
async function argon2Bound(): Promise<number> {
  const hash = await argon2Hasher.hash(PASSWORD);
  const until = performance.now() + 3000;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        if (!(await argon2Hasher.verify(hash, PASSWORD))) throw new Error('argon2 bound: verify failed');
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

const PASSWORD = 'correct horse battery staple, benchmarked';

export async function runServerLoadBench(): Promise<ServerLoadResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enforcer-bench-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as the `postgres` user, which must reach it
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    ENFORCER_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ACCESS_TOKEN_TTL: '3600',
    SIGNING_KEY_RETENTION: '86400',
  });
  // The embedded PostgreSQL of a development server; the server itself as tests start it, on that database.
  const db = await startDatabase(config);
  postmaster = findPostmaster(dataDir);
  const app = await startTestServer({
    databaseUrl: db.url,
    // Not the test harness's record of every request: the bench would measure that bookkeeping too.
    recordRequests: false,
    env: {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL: '3600',
      SIGNING_KEY_RETENTION: '86400',
      // Every virtual client asks for its codes from 127.0.0.1, where real clients come from many addresses:
      // the per-client send limit (an hour's codes from one address) would end the code sign-in runs.
      SEND_LIMIT_PER_CLIENT: '1000000',
    },
  });
  const bare = Fastify({ logger: false });
  try {
    const base = app.baseUrl;

    // A tenant, a verified member, and an access token for them.
    const tenant = await app.db.seedTenant({ name: 'Bench Bank' });
    const account = await app.db.seedAccount({
      tenantId: tenant.id,
      role: 'member',
      email: 'bench@example.com',
    });
    await app.db.addToGroup(account.accountId, 'verified');
    const session = await app.signIn({ accountId: account.accountId, amr: ['otp'] });
    const token = session.accessToken;

    // The bare route: the same verification of the same token, and nothing else.
    const jwks = createLocalJWKSet(await app.keys.getJwks());
    bare.post('/verify', async (request) => {
      const auth = request.headers.authorization ?? '';
      const { payload } = await jwtVerify(auth.slice(7), jwks, {
        issuer: app.config.issuer,
        audience: app.config.audience,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      });
      return { allowed: typeof payload.sub === 'string' };
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/verify`;

    const json = { 'content-type': 'application/json' };
    const authBody = JSON.stringify({ action: 'transfers.create' });
    const headers = { ...json, authorization: `Bearer ${token}` };
    // Each route answers once here, so the load runs can require that exact answer every time.
    const bareAnswer = await expectOk(bareUrl, headers, authBody);
    if (bareAnswer !== JSON.stringify({ allowed: true })) throw new Error(`bare route: ${bareAnswer}`);
    const bareFig = await measure('bare Fastify + jose verify', {
      url: bareUrl,
      method: 'POST',
      headers,
      body: authBody,
      expectBody: bareAnswer,
    });
    // A real decision for a real caller: the verified member may create transfers (default policy).
    const decision = await expectOk(`${base}/authorize`, headers, authBody);
    if ((JSON.parse(decision) as { allowed?: unknown }).allowed !== true)
      throw new Error(`POST /authorize did not allow the member: ${decision}`);
    const authorizeFig = await measure('POST /authorize', {
      url: `${base}/authorize`,
      method: 'POST',
      headers,
      body: authBody,
      expectBody: decision,
    });

    // One refresh-token chain per connection, fresh sessions for each of the three runs.
    const refreshRuns: CountedRun[] = [];
    for (let run = 0; run < 3; run++) {
      const tokens: string[] = [];
      const sessionIds: string[] = [];
      for (let i = 0; i < CONNECTIONS; i++) {
        const signedIn = await app.signIn({ accountId: account.accountId, amr: ['otp'] });
        tokens.push(signedIn.refreshToken);
        sessionIds.push(signedIn.sessionId);
      }
      refreshRuns.push({
        tokens,
        written: () =>
          countRows(
            db.url,
            'select count(*)::int as n from refresh_token where session_id = any($1::uuid[]) and used_at is not null',
            [sessionIds],
          ),
      });
    }
    const refreshFig = await measure(
      'POST /auth/refresh',
      { url: `${base}/auth/refresh`, method: 'POST', headers: json },
      refreshRuns,
    );

    // Sign-in with a password: a registered person per connection (sign-ins of one address queue on its
    // throttle's lock, as they should), a new session per answer, counted in the database.
    const pwTenant = await app.db.seedTenant({ name: 'Bench Passwords', authProviders: ['password'] });
    const loginBodies: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const email = `bench-password-${i}@example.com`;
      const registered = await fetch(`${base}/auth/register`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ provider: 'password', email, password: PASSWORD, tenant_code: pwTenant.code }),
      });
      if (registered.status !== 202)
        throw new Error(`register: ${registered.status} ${await registered.text()}`);
      const body = JSON.stringify({
        provider: 'password',
        email,
        password: PASSWORD,
        tenant_code: pwTenant.code,
      });
      await expectOk(`${base}/auth/login`, json, body);
      loginBodies.push(body);
    }
    const sessionsOf = () =>
      countRows(db.url, 'select count(*)::int as n from session where tenant_id = $1', [pwTenant.id]);
    const loginRuns: CountedRun[] = Array.from({ length: 3 }, () => ({ written: sessionsOf }));
    const passwordLoginFig = await measure(
      'POST /auth/login (password)',
      { url: `${base}/auth/login`, method: 'POST', headers: json, connectionBodies: loginBodies },
      loginRuns,
    );

    // Sign-in with an email code: each client its own person and its own chain (request, mail, login).
    // The tenant's hourly budget of codes (1,000 by default) is raised for the bench, as its owner would.
    const codeTenant = await app.db.seedTenant({ name: 'Bench Codes', authProviders: ['email_otp'] });
    const codeOwner = await app.db.seedAccount({ tenantId: codeTenant.id, role: 'owner' });
    const ownerSession = await app.signIn({ accountId: codeOwner.accountId, amr: ['otp'] });
    const patched = await fetch(`${base}/tenants/${codeTenant.id}`, {
      method: 'PATCH',
      headers: { ...json, authorization: `Bearer ${ownerSession.accessToken}` },
      body: JSON.stringify({ limits: { max_code_sends_per_hour: 1_000_000 } }),
    });
    if (patched.status !== 200) throw new Error(`PATCH /tenants: ${patched.status} ${await patched.text()}`);
    const codeLoginFig =
      typeof app.onMail === 'function' ? await measureCodeSignIns(app, db.url, codeTenant) : undefined;
    if (!codeLoginFig)
      process.stderr.write('sign-in with an email code: not measured (no onMail on this server)\n');

    const argon2PerSecond = await argon2Bound();
    return {
      bare: bareFig,
      authorize: authorizeFig,
      refresh: refreshFig,
      passwordLogin: passwordLoginFig,
      ...(codeLoginFig && { codeLogin: codeLoginFig }),
      argon2PerSecond,
    };
  } finally {
    await bare.close();
    await app.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * A count on a connection of its own: the server's pool may be busy to its limit with the requests still
 * in flight at the end of a run.
 */
const countRows = (url: string, sql: string, params: unknown[]): Promise<number> =>
  withPg(url, async (client) => (await client.query<{ n: number }>(sql, params)).rows[0]!.n);

/** One request before the load: it must answer 200; returns the body the load runs then expect. */
async function expectOk(url: string, headers: Record<string, string>, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text}`);
  return text;
}

/** The sentence about sign-in with an email code under the table. */
function codeLoginMarkdown(c: ServerLoadResult['codeLogin']): string {
  if (!c) return 'Sign-in with an email code: not measured (the server measured has no mail capture).';
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const steps = (x: { p50: number; p99: number }) => `${x.p50.toFixed(0)} / ${x.p99.toFixed(0)} ms`;
  return (
    `Sign-in with an email code: **${n(c.max.rps)}** sign-ins/s (a row is one sign-in: \`POST /auth/otp/request\`, the mail, \`POST /auth/login\`; its latency is the whole chain). ` +
    `One person per connection and run, each connection running its own chains; the code is read from the mail the server's delivery worker sends (the development delivery, in the server's process: no SMTP). ` +
    `The run fails unless every chain ended in a 200 with tokens, and the database holds one new session and one spent code per sign-in and no mail left in the outbox. ` +
    `Steps at the maximum rate, p50 / p99: code request ${steps(c.max.steps.request)}, mail ${steps(c.max.steps.mail)}, login ${steps(c.max.steps.login)}; ` +
    `at half rate: ${steps(c.half.steps.request)}, ${steps(c.half.steps.mail)}, ${steps(c.half.steps.login)}.`
  );
}

export function serverLoadMarkdown(r: ServerLoadResult): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const ms = (x: number | undefined) => (x === undefined ? '' : `${x.toFixed(2)} ms`);
  const row = (f: LoadFigure) =>
    `| ${f.name} | ${n(f.rps)} | ${f.p50} ms | ${f.p99} ms | ${n(f.answers)} | ${f.written === undefined ? '' : n(f.written)} | ${ms(f.nodeCpuMs)} | ${ms(f.pgCpuMs)} |`;
  const ratio = (r.authorize.max.rps / r.bare.max.rps) * 100;
  return [
    `autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, in a separate process; then the same at half the measured maximum rate. ` +
      'Every answer was checked: status 200 with the expected body (bare route and /authorize: the decision for a verified member, `transfers.create`, allowed), no errors or timeouts. ' +
      'Refresh: each connection presents the token the previous answer gave it, and the run fails unless the database recorded one rotation per answer (the last column; it may exceed the answers by the requests still in flight at the end).',
    '',
    '| run | requests/s | p50 | p99 | answers (all 200) | rows written (rotations, sessions) | Node CPU per answer | PostgreSQL CPU per answer |',
    '|---|---|---|---|---|---|---|---|',
    ...[r.bare, r.authorize, r.refresh, r.passwordLogin, r.codeLogin].flatMap((x) =>
      x ? [row(x.max), row(x.half)] : [],
    ),
    '',
    'CPU per answer: CPU time over the run divided by the answers, for the server (the bench process, which runs it; the load generator is another process) and for PostgreSQL (the postmaster and every backend, from /proc). The machine has 2 cores, which the server, PostgreSQL and the load generator share.',
    '',
    `POST /authorize reaches **${ratio.toFixed(0)}%** of the bare route's throughput (target: 90%); ` +
      `p99 at half the maximum rate: ${r.authorize.half.p99} ms, ${(r.authorize.half.p99 / Math.max(1, r.bare.half.p99)).toFixed(1)}× the bare route's ${r.bare.half.p99} ms (target: within 2×). ` +
      "The bare route checks the token's ES256 signature on every request; `/authorize` checks a token once and then finds it in its verified-token cache until it expires (as issue #19 asked), so where its own work (the body's schema, the rate limit, the session, the decision) costs less than one signature check it passes the bare route.",
    `POST /auth/refresh: **${n(r.refresh.max.rps)}** rotations/s (target: 1,500), p99 at half that rate ${r.refresh.half.p99} ms (target: under 30 ms).`,
    `POST /auth/login with a password: ${n(r.passwordLogin.max.rps)} sign-ins/s, beside the argon2id bound of this machine: ${n(r.argon2PerSecond)} verifications/s (the server's parameters, m=19 MiB, t=2, p=1, four at once on libuv's pool); one person per connection.`,
    codeLoginMarkdown(r.codeLogin),
  ].join('\n');
}

/**
 * The figures `pnpm bench:compare` compares: maximum rates, p99 at half the maximum rate, and
 * each route's maximum rate relative to the bare route's (run just before on the same machine,
 * so steadier than the rate itself). The bare route is the control.
 */
export function serverLoadFigures(r: ServerLoadResult): Figure[] {
  const figures = (name: string, x: ServerLoadResult['bare'], control: boolean): Figure[] => [
    {
      suite: 'server',
      name: `${name}: requests/s (max)`,
      value: x.max.rps,
      unit: 'req/s',
      better: 'higher',
      control,
    },
    // autocannon's latencies are whole milliseconds: a 1 ms step is resolution, not a change.
    {
      suite: 'server',
      name: `${name}: p99 at half rate`,
      value: x.half.p99,
      unit: 'ms',
      better: 'lower',
      resolution: 1,
      control,
    },
  ];
  const relative = (name: string, x: ServerLoadResult['bare']): Figure => ({
    suite: 'server',
    name: `${name}: requests/s (max), relative to the bare route`,
    value: x.max.rps / r.bare.max.rps,
    unit: '×',
    better: 'higher',
  });
  const cpu = (name: string, x: LoadFigure): Figure[] =>
    [
      { side: 'Node', value: x.nodeCpuMs },
      { side: 'PostgreSQL', value: x.pgCpuMs },
    ].flatMap(({ side, value }) =>
      value === undefined
        ? []
        : [
            {
              suite: 'server',
              name: `${name}: ${side} CPU per answer (max)`,
              value,
              unit: 'ms',
              better: 'lower' as const,
            },
          ],
    );
  return [
    ...cpu('POST /auth/refresh', r.refresh.max),
    ...figures('bare Fastify + jose verify', r.bare, true),
    ...figures('POST /authorize', r.authorize, false),
    ...figures('POST /auth/refresh', r.refresh, false),
    ...figures('POST /auth/login (password)', r.passwordLogin, false),
    ...(r.codeLogin
      ? [
          ...figures('sign-in with an email code (request, mail, login)', r.codeLogin, false),
          ...cpu('sign-in with an email code', r.codeLogin.max),
        ]
      : []),
    relative('POST /authorize', r.authorize),
    relative('POST /auth/refresh', r.refresh),
  ];
}
