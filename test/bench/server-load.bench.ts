import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startDatabase } from '@enforcer/server';
import { startTestServer } from '@enforcer/server/testing';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
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

interface AutocannonResult {
  /** total: answers received; sent: requests written (the last ones may be unanswered at the end). */
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
}

export interface LoadFigure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Answers received, all checked (status 200, expected body). */
  answers: number;
  /** Refresh only: refresh tokens rotated in the database during the run. */
  rotated?: number;
}

const DURATION = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CONNECTIONS = 10;

function runLoad(config: Record<string, unknown>): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./load-runner.ts', import.meta.url).pathname, JSON.stringify(config)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load runner exited ${code}`)),
    );
  });
}

/** Throws unless every request of the run was answered 200 (with `expectBody`, when given). */
function check(name: string, r: AutocannonResult): void {
  const statuses = Object.entries(r.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}: ${count}`)
    .join(', ');
  const problems = [
    r.requests.total === 0 && 'no answers',
    r.non2xx > 0 && `${r.non2xx} non-2xx (${statuses})`,
    Object.keys(r.statusCodeStats ?? {}).some((code) => code !== '200') && `statuses ${statuses}`,
    r.errors > 0 && `${r.errors} errors`,
    r.timeouts > 0 && `${r.timeouts} timeouts`,
    r.mismatches > 0 && `${r.mismatches} answers with an unexpected body`,
    r.resets > 0 && `${r.resets} request resets`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
}

/**
 * One run of a refresh bench: its own chains (fresh sessions, a spent token would be reuse), and
 * afterwards the rotations the database recorded for those sessions, which must cover every answer.
 */
export interface RefreshRun {
  tokens: string[];
  /** Rotations recorded so far for this run's sessions. */
  rotated(): Promise<number>;
}

async function measure(
  name: string,
  config: Record<string, unknown>,
  /** For refresh: one run each for the warm-up, the maximum and the half rate. */
  refreshRuns?: RefreshRun[],
): Promise<{ max: LoadFigure; half: LoadFigure }> {
  const base = { connections: CONNECTIONS, durationSeconds: DURATION, ...config };
  const run = async (label: string, i: number, extra: Record<string, unknown>) => {
    const refresh = refreshRuns?.[i];
    const r = await runLoad({ ...base, ...extra, ...(refresh ? { refreshTokens: refresh.tokens } : {}) });
    check(label, r);
    if (!refresh) return { r, rotated: undefined };
    const rotated = await settled(() => refresh.rotated());
    // Answered requests all rotated; a request still in flight at the end may have rotated too.
    if (rotated < r.requests.total || rotated > r.requests.sent)
      throw new Error(
        `${label}: ${rotated} refresh tokens rotated for ${r.requests.total} answers (${r.requests.sent} sent): not one rotation per request`,
      );
    return { r, rotated };
  };
  await run(`${name} (warm-up)`, 0, { durationSeconds: 2 });
  const max = await run(`${name} (max)`, 1, {});
  const halfRate = Math.max(1, Math.floor(max.r.requests.average / 2));
  const half = await run(`${name} (at ${halfRate} req/s)`, 2, { overallRate: halfRate });
  const figure = (label: string, { r, rotated }: typeof max): LoadFigure => ({
    name: label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    answers: r.requests.total,
    ...(rotated !== undefined && { rotated }),
  });
  return { max: figure(`${name} (max)`, max), half: figure(`${name} (at ${halfRate} req/s)`, half) };
}

/** Reads until two reads 100 ms apart agree: requests still in flight when the run ended finish first. */
async function settled(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await read();
    if (next === last) return next;
    last = next;
  }
  return last;
}

export interface ServerLoadResult {
  bare: { max: LoadFigure; half: LoadFigure };
  authorize: { max: LoadFigure; half: LoadFigure };
  refresh: { max: LoadFigure; half: LoadFigure };
}

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
  const app = await startTestServer({
    databaseUrl: db.url,
    env: {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL: '3600',
      SIGNING_KEY_RETENTION: '86400',
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
    const refreshRuns: RefreshRun[] = [];
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
        rotated: () =>
          app.db.records('refreshTokens').count({ session: { $in: sessionIds }, usedAt: { $ne: null } }),
      });
    }
    const refreshFig = await measure(
      'POST /auth/refresh',
      { url: `${base}/auth/refresh`, method: 'POST', headers: json },
      refreshRuns,
    );
    return { bare: bareFig, authorize: authorizeFig, refresh: refreshFig };
  } finally {
    await bare.close();
    await app.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One request before the load: it must answer 200; returns the body the load runs then expect. */
async function expectOk(url: string, headers: Record<string, string>, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text}`);
  return text;
}

export function serverLoadMarkdown(r: ServerLoadResult): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const row = (f: LoadFigure) =>
    `| ${f.name} | ${n(f.rps)} | ${f.p50} ms | ${f.p99} ms | ${n(f.answers)} | ${f.rotated === undefined ? '' : n(f.rotated)} |`;
  const ratio = (r.authorize.max.rps / r.bare.max.rps) * 100;
  return [
    `autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, in a separate process; then the same at half the measured maximum rate. ` +
      'Every answer was checked: status 200 with the expected body (bare route and /authorize: the decision for a verified member, `transfers.create`, allowed), no errors or timeouts. ' +
      'Refresh: each connection presents the token the previous answer gave it, and the run fails unless the database recorded one rotation per answer (the last column; it may exceed the answers by the requests still in flight at the end).',
    '',
    '| run | requests/s | p50 | p99 | answers (all 200) | refresh tokens rotated |',
    '|---|---|---|---|---|---|',
    ...[r.bare, r.authorize, r.refresh].flatMap((x) => [row(x.max), row(x.half)]),
    '',
    `POST /authorize reaches **${ratio.toFixed(0)}%** of the bare route's throughput (target: 80%); ` +
      `p99 at half the maximum rate: ${r.authorize.half.p99} ms (target: under 20 ms).`,
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
  return [
    ...figures('bare Fastify + jose verify', r.bare, true),
    ...figures('POST /authorize', r.authorize, false),
    ...figures('POST /auth/refresh', r.refresh, false),
    relative('POST /authorize', r.authorize),
    relative('POST /auth/refresh', r.refresh),
  ];
}
