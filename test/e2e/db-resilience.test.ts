// Issue #11 item 4: a database outage is a 503 `unavailable` with Retry-After on every route, the
// embedded PostgreSQL is supervised (restarted; the pool reconnects without restarting the server),
// a start after kill -9 stops the cluster the killed run left behind, and writes answered 2xx before a
// kill -9 are all there afterwards.
//
// Each test runs the real server entry point (server/src/main.ts, as `pnpm start` does) with its own
// embedded cluster in a temporary data folder, so killing PostgreSQL here never touches the shared test
// cluster of this run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { basePath, contract } from '@enforcer/contract';
import { removeCluster } from '@enforcer/server/testing/postgres';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EnforcerProcess,
  holdPort,
  isAlive,
  ownerAndApiKey,
  startEnforcer,
  waitFor,
} from './db-resilience-process.js';
import type { ApiResponse } from './harness.js';

const started: EnforcerProcess[] = [];
const dataDirs: string[] = [];

afterAll(async () => {
  for (const server of started) {
    const postmaster = server.postmasterPid();
    await server.stop();
    if (isAlive(postmaster)) process.kill(postmaster!, 'SIGKILL');
  }
  for (const dir of dataDirs) {
    removeCluster(join(dir, 'pg'));
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});

function newDataDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'enforcer-db-resilience-')), 'data');
  dataDirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<EnforcerProcess> {
  const server = await startEnforcer(dataDir);
  started.push(server);
  return server;
}

interface Route {
  method: string;
  path: string;
}

/** Every route of the contract (a ts-rest route is an object with a `method` and a `path`). */
function contractRoutes(node: unknown = contract): Route[] {
  if (typeof node !== 'object' || node === null) return [];
  const candidate = node as Partial<Route>;
  if (typeof candidate.method === 'string' && typeof candidate.path === 'string') {
    return [{ method: candidate.method, path: candidate.path }];
  }
  return Object.values(node).flatMap((child) => contractRoutes(child));
}

function expectUnavailable(response: ApiResponse) {
  expect(response.status, JSON.stringify(response.body)).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 503, code: 'unavailable' });
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

// The two describes run at the same time (`concurrent`): each has its own data folder, cluster, ports and
// server processes, and most of their time is spent waiting on those processes (starts, initdb, migrations,
// the supervisor's restart), so one's waits fill with the other's work.
describe('database outage', { timeout: 120_000, concurrent: true }, () => {
  it('answers 503 unavailable with Retry-After while PostgreSQL is dead, and serves again once the supervisor has restarted it', async ({
    expect,
  }) => {
    const server = await start(newDataDir());
    const { api } = server;
    const { token, apiKey } = await ownerAndApiKey(api);
    const authorize = () => api('POST', '/authorize', { token, body: { action: 'transfers.create' } });
    const createGroup = (name: string) => api('POST', '/groups', { apiKey, body: { name } });
    expect((await createGroup('before_outage')).status).toBe(201);
    expect((await authorize()).status).toBe(200);

    const postmaster = server.postmasterPid();
    const port = server.postmasterPort();
    expect(isAlive(postmaster)).toBe(true);
    process.kill(postmaster!, 'SIGKILL');
    // Hold its port (the supervisor waits 500 ms before restarting it): every restart fails until we let
    // go, so the outage lasts while we look, whatever the machine's load.
    const held = await holdPort(port!);
    try {
      expect(await waitFor(() => !isAlive(postmaster), 5_000)).toBe(true);
      const [group, decision, ready] = await Promise.all([
        createGroup('during_outage'),
        authorize(),
        api('GET', '/readyz'),
      ]);
      expectUnavailable(group);
      expectUnavailable(decision);
      expect(ready.status).toBe(503);
      expect(
        await waitFor(() => /restarting the embedded PostgreSQL failed; trying again/.test(server.output())),
      ).toBe(true);
      expectUnavailable(await createGroup('during_outage'));

      // Every route of the contract, as the owner and with the API key: nothing answers 500, and every
      // 5xx is this 503 (4xx remain for what is refused before the database is needed).
      const failures: string[] = [];
      for (const route of contractRoutes()) {
        const path = route.path
          .replace(basePath, '')
          .replace(/:[a-zA-Z_]+/g, '00000000-0000-4000-8000-000000000000');
        for (const credentials of [{ token }, { apiKey }]) {
          const response = await api(route.method, path, {
            ...credentials,
            ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { body: {} } : {}),
          });
          const retryAfter = Number(response.headers.get('retry-after'));
          const problem = /^application\/problem\+json/.test(response.headers.get('content-type') ?? '');
          if (response.status >= 500 && !(response.status === 503 && retryAfter > 0 && problem)) {
            failures.push(
              `${route.method} ${route.path}: ${response.status} ${JSON.stringify(response.body)}`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
    } finally {
      await held.close();
    }

    // Back without restarting the server: same process, a new postmaster, the pool reconnects.
    expect(
      await waitFor(async () => (await createGroup('after_outage')).status === 201, 60_000),
      server.output().slice(-4000),
    ).toBe(true);
    expect((await authorize()).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    expect(server.postmasterPid()).not.toBe(postmaster);
    expect(server.output()).toMatch(/the embedded PostgreSQL exited; restarting it/);
    expect(server.output()).toMatch(/the embedded PostgreSQL is back/);
    expect(server.output()).not.toMatch(/"level":50.*unhandled error/);
  });
});

describe('a start after kill -9', { timeout: 180_000, concurrent: true }, () => {
  it('stops the cluster a killed server left running, starts cleanly, and keeps every write answered 2xx', async ({
    expect,
  }) => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    const { apiKey } = await ownerAndApiKey(first.api);
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `written_${i}`;
      const response = await first.api('POST', '/groups', { apiKey, body: { name } });
      expect(response.status).toBe(201);
      written.push(name);
    }

    // kill -9 of the server: PostgreSQL (its own process group) keeps running, orphaned.
    const orphan = first.postmasterPid();
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isAlive(orphan)).toBe(true);

    const second = await start(dataDir);
    expect(second.output()).toMatch(/stopping the embedded PostgreSQL a previous run left behind/);
    expect(isAlive(orphan)).toBe(false);
    const listed = await second.api('GET', '/groups?limit=100', { apiKey });
    expect(listed.status).toBe(200);
    const names = (listed.body.data as { name: string }[]).map((group) => group.name);
    for (const name of written) expect(names).toContain(name);

    // kill -9 of both: a stale postmaster.pid naming a dead pid; the next start needs nothing by hand.
    const added = await second.api('POST', '/groups', { apiKey, body: { name: 'written_after_adoption' } });
    expect(added.status).toBe(201);
    const postmaster = second.postmasterPid();
    second.child.kill('SIGKILL');
    process.kill(postmaster!, 'SIGKILL');
    await second.exited;
    expect(await waitFor(() => !isAlive(postmaster), 5_000)).toBe(true);

    const third = await start(dataDir);
    const again = await third.api('GET', '/groups?limit=100', { apiKey });
    expect(again.status).toBe(200);
    const namesAgain = (again.body.data as { name: string }[]).map((group) => group.name);
    for (const name of [...written, 'written_after_adoption']) expect(namesAgain).toContain(name);
    await third.stop();
    expect(third.output()).toMatch(/"msg":"stopped"/);
    expect(isAlive(third.postmasterPid())).toBe(false);
  });
});
