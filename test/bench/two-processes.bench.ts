import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startDatabase } from '@enforcer/server';
import { RAISED_RATE_LIMITS } from '@enforcer/server/testing';
import { type EnforcerProcess, startEnforcer } from '../e2e/db-resilience-process';
import { withPg } from '../support/pg';
import { findPostmaster, pgCpuMs, processCpuMs } from './cpu';
import { type AutocannonResult, CONNECTIONS, check, DURATION, runLoad } from './load';
import type { Figure } from './measure';

/**
 * More than one server (#18, docs/server.md "Scaling out"): two real server processes (`server/src/main.ts`,
 * what `pnpm start` runs) on one PostgreSQL, beside one process alone on the same database, with the same
 * total load: `POST /authorize` and `POST /auth/refresh`. With two processes the load is spread over both:
 * two load runners at once (each its own process, autocannon), half the connections each, one per server,
 * so the figures are the sums of what both answered; latencies are each side's, and the worse of the two
 * is reported. The processes start together on an unmigrated database (they race to migrate it, as a
 * deployment's would).
 *
 * A figure counts only if the run did what it claims: every answer 200 with the expected body, and for
 * refresh one rotation in the database per answer (counted in `refresh_token`, as the server suite does;
 * each connection follows its own chain, whose tokens were minted by either process). On one machine the
 * two processes, PostgreSQL and the load runners share its cores: the figures say what a second process
 * costs or gains here, not what two machines would do.
 */

export interface SideFigure {
  rps: number;
  p50: number;
  p99: number;
  answers: number;
}

export interface ScaleFigure {
  name: string;
  /** Sum over the processes that took load. */
  rps: number;
  answers: number;
  /** The worst of the processes' p50 and p99 (autocannon's, whole milliseconds). */
  p50: number;
  p99: number;
  sides: SideFigure[];
  /** Refresh: rotations the database recorded during the run (at least one per answer). */
  written?: number;
  /** CPU milliseconds per answer: both servers' Node.js processes together, and PostgreSQL. */
  nodeCpuMs: number;
  pgCpuMs?: number;
}

export interface TwoProcessesResult {
  authorize: { one: ScaleFigure; two: ScaleFigure };
  refresh: { one: ScaleFigure; two: ScaleFigure };
}

const sideOf = (r: AutocannonResult): SideFigure => ({
  rps: r.requests.average,
  p50: r.latency.p50,
  p99: r.latency.p99,
  answers: r.requests.total,
});

/** The bench's cluster (its postmaster's pid), for PostgreSQL's CPU per answer. */
let postmaster: number | undefined;

/**
 * One measured run over `targets` (one process or both) at once: `connections` split evenly, the refresh
 * chains too. Throws unless every answer was right and, for refresh, the database rotated once per answer.
 */
async function loadRun(
  label: string,
  targets: EnforcerProcess[],
  servers: EnforcerProcess[],
  config: (target: EnforcerProcess) => Record<string, unknown>,
  chains?: { tokens: string[]; rotated(): Promise<number> },
  durationSeconds = DURATION,
): Promise<ScaleFigure> {
  const per = CONNECTIONS / targets.length;
  const rotatedBefore = chains ? await chains.rotated() : 0;
  const cpuBefore = servers.map((s) => processCpuMs(s.pid) ?? 0);
  const pgBefore = pgCpuMs(postmaster);
  const results = await Promise.all(
    targets.map((target, i) =>
      runLoad({
        connections: per,
        durationSeconds,
        ...config(target),
        ...(chains ? { refreshTokens: chains.tokens.slice(i * per, (i + 1) * per) } : {}),
      }),
    ),
  );
  const answers = results.reduce((n, r) => n + r.requests.total, 0);
  const sent = results.reduce((n, r) => n + r.requests.sent, 0);
  for (const [i, r] of results.entries()) check(`${label}, process ${i + 1}`, r);
  const nodeCpu = servers.reduce((ms, s, i) => ms + ((processCpuMs(s.pid) ?? 0) - cpuBefore[i]!), 0);
  const pgAfter = pgCpuMs(postmaster);
  let written: number | undefined;
  if (chains) {
    written = (await settled(() => chains.rotated())) - rotatedBefore;
    if (written < answers || written > sent)
      throw new Error(
        `${label}: ${written} rotations for ${answers} answers (${sent} sent): not one per request`,
      );
  }
  return {
    name: label,
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    answers,
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    sides: results.map(sideOf),
    ...(written !== undefined && { written }),
    nodeCpuMs: nodeCpu / answers,
    ...(pgAfter !== undefined && pgBefore !== undefined && { pgCpuMs: (pgAfter - pgBefore) / answers }),
  };
}

/** Reads until the count has not moved for a second (requests in flight at the end finish first). */
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

async function post(api: EnforcerProcess['api'], path: string, body: unknown, token?: string) {
  const answer = await api('POST', path, { body, ...(token ? { token } : {}) });
  if (answer.status >= 300) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

export async function runTwoProcessesBench(): Promise<TwoProcessesResult> {
  if (CONNECTIONS % 2 !== 0) throw new Error('the connections must split evenly over two processes');
  const dataDir = await mkdtemp(join(tmpdir(), 'enforcer-bench-two-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as the `postgres` user, which must reach it
  const db = await startDatabase(
    loadConfig({ ...process.env, NODE_ENV: 'development', ENFORCER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
  );
  postmaster = findPostmaster(dataDir);
  const env = {
    DATABASE_URL: db.url,
    // What processes behind one load balancer share: the master key and the issuer.
    ENFORCER_MASTER_KEY: randomBytes(32).toString('base64'),
    ENFORCER_ISSUER: 'https://auth.bench.test/api/v1/enforcer',
    LOG_LEVEL: 'warn',
    ACCESS_TOKEN_TTL: '3600',
    // Every answer comes from 127.0.0.1: the general rate limit (still counted, in PostgreSQL) and the send
    // limits raised out of reach, as for the one-process server suite.
    ...RAISED_RATE_LIMITS,
    SEND_LIMIT_PER_DESTINATION: '100000',
    SEND_LIMIT_PER_CLIENT: '100000',
  };
  const dirs = [
    await mkdtemp(join(tmpdir(), 'enforcer-bench-a-')),
    await mkdtemp(join(tmpdir(), 'enforcer-bench-b-')),
  ];
  let servers: EnforcerProcess[] = [];
  try {
    servers = await Promise.all(dirs.map((dir) => startEnforcer(dir, env)));
    const [a, b] = servers as [EnforcerProcess, EnforcerProcess];

    // A tenant made through A; its owner (every permission) decides; sign-ins alternate between A and B.
    const email = 'bench-owner@example.com';
    const code = await post(a.api, '/auth/otp/request', { email });
    const tenant = await post(b.api, '/tenants/self-serve', {
      name: 'Bench Two',
      admin_email: email,
      otp: code.body.code,
    });
    const tenantCode: string = tenant.body.tenant.code;
    const token: string = tenant.body.token;
    let signIns = 0;
    const signIn = async (): Promise<{ refresh: string; sessionId: string }> => {
      const api = signIns++ % 2 === 0 ? a.api : b.api;
      const otp = await post(api, '/auth/otp/request', { email, tenant_code: tenantCode });
      const login = await post(api, '/auth/login', {
        provider: 'email_otp',
        email,
        otp: otp.body.code,
        tenant_code: tenantCode,
      });
      const claims = JSON.parse(Buffer.from(login.body.token.split('.')[1], 'base64url').toString()) as {
        sid: string;
      };
      return { refresh: login.body.refresh_token, sessionId: claims.sid };
    };
    /** Fresh chains for one run: one session per connection (a spent token would be reuse). */
    const chainsForRun = async () => {
      const sessions = [];
      for (let i = 0; i < CONNECTIONS; i++) sessions.push(await signIn());
      const ids = sessions.map((s) => s.sessionId);
      return {
        tokens: sessions.map((s) => s.refresh),
        rotated: () =>
          withPg(
            db.url,
            async (client) =>
              (
                await client.query<{ n: number }>(
                  'select count(*)::int as n from refresh_token where session_id = any($1::uuid[]) and used_at is not null',
                  [ids],
                )
              ).rows[0]!.n,
          ),
      };
    };

    const json = { 'content-type': 'application/json' };
    const authBody = JSON.stringify({ action: 'transfers.create' });
    const headers = { ...json, authorization: `Bearer ${token}` };
    // The decision each process gives before the load: the same, and an allow; the runs then require it.
    const decisions = await Promise.all(
      servers.map(async (s) => {
        const answer = await fetch(`${s.baseUrl}/authorize`, { method: 'POST', headers, body: authBody });
        const text = await answer.text();
        if (answer.status !== 200 || (JSON.parse(text) as { allowed?: boolean }).allowed !== true)
          throw new Error(`POST /authorize on ${s.baseUrl}: ${answer.status} ${text}`);
        return text;
      }),
    );
    if (decisions[0] !== decisions[1]) throw new Error(`the two processes decide differently: ${decisions}`);
    const authorizeConfig = (target: EnforcerProcess) => ({
      url: `${target.baseUrl}/authorize`,
      method: 'POST',
      headers,
      body: authBody,
      expectBody: decisions[0],
    });
    const refreshConfig = (target: EnforcerProcess) => ({
      url: `${target.baseUrl}/auth/refresh`,
      method: 'POST',
      headers: json,
    });

    // Warm-up on both (caches, JIT, pools), then each measured run.
    await loadRun('warm-up /authorize', [a, b], servers, authorizeConfig, undefined, 2);
    await loadRun('warm-up /auth/refresh', [a, b], servers, refreshConfig, await chainsForRun(), 2);
    const authorize = {
      one: await loadRun('POST /authorize, one process', [a], servers, authorizeConfig),
      two: await loadRun('POST /authorize, two processes', [a, b], servers, authorizeConfig),
    };
    const refresh = {
      one: await loadRun(
        'POST /auth/refresh, one process',
        [a],
        servers,
        refreshConfig,
        await chainsForRun(),
      ),
      two: await loadRun(
        'POST /auth/refresh, two processes',
        [a, b],
        servers,
        refreshConfig,
        await chainsForRun(),
      ),
    };
    return { authorize, refresh };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.close();
    for (const dir of [dataDir, ...dirs]) await rm(dir, { recursive: true, force: true });
  }
}

export function twoProcessesMarkdown(r: TwoProcessesResult): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const ms = (x: number | undefined) => (x === undefined ? '' : `${x.toFixed(2)} ms`);
  const row = (f: ScaleFigure) =>
    `| ${f.name} | ${n(f.rps)} | ${f.sides.map((s) => n(s.rps)).join(' + ')} | ${f.p50} ms | ${f.p99} ms | ${n(f.answers)} | ${f.written === undefined ? '' : n(f.written)} | ${ms(f.nodeCpuMs)} | ${ms(f.pgCpuMs)} |`;
  const gain = (x: { one: ScaleFigure; two: ScaleFigure }) => (x.two.rps / x.one.rps).toFixed(2);
  return [
    `Two server processes (\`server/src/main.ts\`) on one PostgreSQL, beside one of them alone, with the same load: autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, from load runners in processes of their own (two at once with two servers, ${CONNECTIONS / 2} connections each). ` +
      'Every answer was checked: status 200 with the expected body (/authorize: the same allow from both processes). ' +
      'Refresh: each connection presents the token the previous answer gave it (chains minted by either process), and the run fails unless the database recorded one rotation per answer.',
    '',
    '| run | requests/s | per process | p50 (worse side) | p99 (worse side) | answers (all 200) | rotations in the database | Node CPU per answer (both servers) | PostgreSQL CPU per answer |',
    '|---|---|---|---|---|---|---|---|---|',
    ...[r.authorize.one, r.authorize.two, r.refresh.one, r.refresh.two].map(row),
    '',
    `Two processes answer **${gain(r.authorize)}×** the /authorize throughput of one and **${gain(r.refresh)}×** its refresh rotations, on this machine, where both processes, PostgreSQL and the load runners share its cores.`,
  ].join('\n');
}

export function twoProcessesFigures(r: TwoProcessesResult): Figure[] {
  const figures = (name: string, f: ScaleFigure): Figure[] => [
    { suite: 'two-processes', name: `${name}: requests/s`, value: f.rps, unit: 'req/s', better: 'higher' },
    {
      suite: 'two-processes',
      name: `${name}: p99`,
      value: f.p99,
      unit: 'ms',
      better: 'lower',
      resolution: 1,
    },
    {
      suite: 'two-processes',
      name: `${name}: Node CPU per answer`,
      value: f.nodeCpuMs,
      unit: 'ms',
      better: 'lower',
    },
  ];
  const gain = (name: string, x: { one: ScaleFigure; two: ScaleFigure }): Figure => ({
    suite: 'two-processes',
    name: `${name}: two processes relative to one`,
    value: x.two.rps / x.one.rps,
    unit: '×',
    better: 'higher',
  });
  return [
    ...figures('POST /authorize, one process', r.authorize.one),
    ...figures('POST /authorize, two processes', r.authorize.two),
    ...figures('POST /auth/refresh, one process', r.refresh.one),
    ...figures('POST /auth/refresh, two processes', r.refresh.two),
    gain('POST /authorize', r.authorize),
    gain('POST /auth/refresh', r.refresh),
  ];
}
