import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startDatabase } from '@enforcer/server';
import { startTestServer } from '@enforcer/server/testing';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';

/**
 * Load on the real server: `POST /authorize` and `POST /auth/refresh`, beside a bare
 * Fastify route that does only the same JWT verification (jose, the same ES256 key set),
 * in the same run. The load comes from autocannon in a separate process (load-runner.ts).
 * The server, its embedded PostgreSQL and the load generator share the machine's cores.
 */

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}

export interface LoadFigure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
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

async function measure(
  name: string,
  config: Record<string, unknown>,
  /** For refresh runs: each of the three runs starts its own token chains (a spent token would be reuse). */
  refreshTokens?: string[][],
): Promise<{ max: LoadFigure; half: LoadFigure }> {
  const base = { connections: CONNECTIONS, durationSeconds: DURATION, ...config };
  const tokens = (run: number) => (refreshTokens ? { refreshTokens: refreshTokens[run] } : {});
  await runLoad({ ...base, ...tokens(0), durationSeconds: 2 }); // warm-up
  const max = await runLoad({ ...base, ...tokens(1) });
  const halfRate = Math.max(1, Math.floor(max.requests.average / 2));
  const half = await runLoad({ ...base, ...tokens(2), overallRate: halfRate });
  const figure = (label: string, r: AutocannonResult): LoadFigure => ({
    name: label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
  });
  return { max: figure(`${name} (max)`, max), half: figure(`${name} (at ${halfRate} req/s)`, half) };
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
    const bareFig = await measure('bare Fastify + jose verify', {
      url: bareUrl,
      method: 'POST',
      headers,
      body: authBody,
    });
    const authorizeFig = await measure('POST /authorize', {
      url: `${base}/authorize`,
      method: 'POST',
      headers,
      body: authBody,
    });

    // One refresh-token chain per connection, fresh for each of the three runs.
    const refreshTokens: string[][] = [];
    for (let run = 0; run < 3; run++) {
      const chains: string[] = [];
      for (let i = 0; i < CONNECTIONS; i++) {
        chains.push((await app.signIn({ accountId: account.accountId, amr: ['otp'] })).refreshToken);
      }
      refreshTokens.push(chains);
    }
    const refreshFig = await measure(
      'POST /auth/refresh',
      { url: `${base}/auth/refresh`, method: 'POST', headers: json },
      refreshTokens,
    );
    return { bare: bareFig, authorize: authorizeFig, refresh: refreshFig };
  } finally {
    await bare.close();
    await app.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function serverLoadMarkdown(r: ServerLoadResult): string {
  const row = (f: LoadFigure) =>
    `| ${f.name} | ${Math.round(f.rps).toLocaleString('en-US')} | ${f.p50} ms | ${f.p99} ms | ${f.non2xx} |`;
  const ratio = (r.authorize.max.rps / r.bare.max.rps) * 100;
  return [
    `autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, in a separate process; then the same at half the measured maximum rate.`,
    '',
    '| run | requests/s | p50 | p99 | non-2xx |',
    '|---|---|---|---|---|',
    ...[r.bare, r.authorize, r.refresh].flatMap((x) => [row(x.max), row(x.half)]),
    '',
    `POST /authorize reaches **${ratio.toFixed(0)}%** of the bare route's throughput (target: 80%); ` +
      `p99 at half the maximum rate: ${r.authorize.half.p99} ms (target: under 20 ms).`,
  ].join('\n');
}
