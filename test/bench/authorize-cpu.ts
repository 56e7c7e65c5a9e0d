import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startDatabase } from '@enforcer/server';
import { startTestServer } from '@enforcer/server/testing';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { nodeCpuMs } from './cpu';
import { check, runLoad } from './load';

/**
 * CPU per request of `POST /authorize` beside the bare Fastify + jose route (issue #19's control), measured
 * from this process's CPU time (valid on a loaded machine, unlike throughput): the same token, body and
 * load runner as the server bench, several alternating rounds, the median per route. With `--profile DIR`,
 * a CPU profile of each route's last round is written there (`.cpuprofile`, for Chrome DevTools or speedscope).
 *
 *     pnpm exec node --conditions=source --import tsx test/bench/authorize-cpu.ts [--rounds N] [--seconds S] [--profile DIR] [--record]
 */
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const ROUNDS = Number(option('--rounds') ?? 3);
const SECONDS = Number(option('--seconds') ?? 5);
const PROFILE_DIR: string | undefined = option('--profile');
/** Keep the test server's record of every request (as the bench did before it turned it off). */
const RECORD = args.includes('--record');

const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  ACCESS_TOKEN_TTL: '3600',
  SIGNING_KEY_RETENTION: '86400',
};
const dataDir = await mkdtemp(join(tmpdir(), 'enforcer-authorize-cpu-'));
await chmod(dataDir, 0o755);
const db = await startDatabase(loadConfig({ ...process.env, ...env, ENFORCER_DATA_DIR: dataDir }));
const app = await startTestServer({ databaseUrl: db.url, env, recordRequests: RECORD });
const bare = Fastify({ logger: false });
try {
  const tenant = await app.db.seedTenant({ name: 'Bench Bank' });
  const account = await app.db.seedAccount({ tenantId: tenant.id, role: 'member' });
  await app.db.addToGroup(account.accountId, 'verified');
  const { accessToken } = await app.signIn({ accountId: account.accountId, amr: ['otp'] });
  const jwks = createLocalJWKSet(await app.keys.getJwks());
  bare.post('/verify', async (request) => {
    const { payload } = await jwtVerify((request.headers.authorization ?? '').slice(7), jwks, {
      issuer: app.config.issuer,
      audience: app.config.audience,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    return { allowed: typeof payload.sub === 'string' };
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/verify`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
  const body = JSON.stringify({ action: 'transfers.create' });
  const targets = [
    { name: 'bare Fastify + jose', url: bareUrl },
    { name: 'POST /authorize', url: `${app.baseUrl}/authorize` },
  ];
  const expected = await Promise.all(
    targets.map(async ({ url }) => (await fetch(url, { method: 'POST', headers, body })).text()),
  );
  if (!expected[1]!.includes('"allowed":true')) throw new Error(`POST /authorize: ${expected[1]}`);
  const samples = targets.map(() => [] as number[]);
  const session = PROFILE_DIR ? new Session() : undefined;
  session?.connect();
  for (let round = -1; round < ROUNDS; round++) {
    for (const [k, target] of targets.entries()) {
      const profile = session && PROFILE_DIR && round === ROUNDS - 1;
      if (profile) {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 100 });
        await session.post('Profiler.start');
      }
      const before = nodeCpuMs();
      const r = await runLoad({
        url: target.url,
        method: 'POST',
        headers,
        body,
        expectBody: expected[k],
        connections: 10,
        durationSeconds: round < 0 ? 2 : SECONDS,
      });
      const perRequest = ((nodeCpuMs() - before) * 1000) / r.requests.total;
      if (profile && PROFILE_DIR) {
        const { profile: data } = await session.post('Profiler.stop');
        const file = join(PROFILE_DIR, `${k === 0 ? 'bare' : 'authorize'}.cpuprofile`);
        await writeFile(file, JSON.stringify(data));
        process.stderr.write(`profile: ${file}\n`);
      }
      check(target.name, r);
      if (round >= 0) samples[k]!.push(perRequest);
      process.stderr.write(
        `${round < 0 ? 'warm-up' : `round ${round + 1}`}: ${target.name}: ${perRequest.toFixed(1)} µs CPU per request (${r.requests.total} requests)\n`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [bareUs, authorizeUs] = samples.map(median) as [number, number];
  process.stdout.write(
    `${JSON.stringify({ bareUsPerRequest: bareUs, authorizeUsPerRequest: authorizeUs, ratio: authorizeUs / bareUs, samples })}\n`,
  );
} finally {
  await bare.close();
  await app.close();
  await db.close();
  await rm(dataDir, { recursive: true, force: true });
}
