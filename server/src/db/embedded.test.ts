// The embedded cluster's manager never touches a PostgreSQL it cannot prove is a leftover of ours.
// (Supervision and the kill -9 cases run against the real server in test/e2e/db-resilience.test.ts.)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.js';
import { isAlive, readPostmasterPid, removeCluster } from './postgres-runtime.js';

const root = mkdtempSync(join(tmpdir(), 'enforcer-embedded-test-'));
const dataDir = join(root, 'pg');
const sleepers: ChildProcess[] = [];

afterAll(() => {
  for (const sleeper of sleepers) sleeper.kill('SIGKILL');
  removeCluster(dataDir);
  rmSync(root, { recursive: true, force: true });
});

async function select1(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ one: number }>('select 1 as one');
    return rows[0]!.one;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres on a data folder in use', { timeout: 60_000 }, () => {
  it('refuses while the server that started the cluster is alive, reuses it on request, and stops it cleanly', async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await select1(first.url)).toBe(1);
      const postmaster = first.pid();
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
        /another Enforcer \(pid \d+\) is running on .*; stop it first/,
      );
      expect(isAlive(postmaster!)).toBe(true);

      const reused = await startEmbeddedPostgres({ dataDir, reuseRunning: true });
      expect(reused.port).toBe(first.port);
      expect(await select1(reused.url)).toBe(1);
      await reused.stop(); // leaves the cluster running
      expect(isAlive(postmaster!)).toBe(true);
    } finally {
      await first.stop();
    }
    expect(readPostmasterPid(dataDir)).toBeUndefined();
  });

  it('leaves alone a live process that postmaster.pid names but is not a PostgreSQL on this folder', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    sleepers.push(sleeper);
    writeFileSync(join(dataDir, 'postmaster.pid'), `${sleeper.pid}\n${dataDir}\n0\n5432\n\n127.0.0.1\n`);
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
      /names pid \d+, which is running but is not a PostgreSQL on this data folder, so it is left alone/,
    );
    expect(isAlive(sleeper.pid!)).toBe(true);

    // Once that process is gone, the stale file is no obstacle.
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.on('exit', resolve));
    const again = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await select1(again.url)).toBe(1);
    } finally {
      await again.stop();
    }
  });
});
