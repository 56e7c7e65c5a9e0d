// Issue #21: as root, a cluster in a private directory is placed where the postgres user can own it,
// without loosening the permissions of the user's own directories. (The whole path, README's start and
// test commands from a clone in a 0700 directory, runs in CI: .ci/private-dir-check.sh.)
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from './embedded.js';
import {
  canReach,
  generatePassword,
  initCluster,
  PostgresRuntimeError,
  placeDataDir,
  postgresRuntime,
  removeCluster,
  runtimeHome,
  spawnPostmaster,
} from './postgres-runtime.js';

const asRoot = process.getuid?.() === 0;
const privateDir = mkdtempSync(join(tmpdir(), 'enforcer-private-')); // mode 0700, owned by us

afterAll(() => {
  removeCluster(join(privateDir, 'data', 'pg'));
  rmSync(privateDir, { recursive: true, force: true });
});

describe('postgresRuntime', () => {
  it('finds binaries that PostgreSQL’s user can execute', () => {
    const runtime = postgresRuntime();
    expect(runtime.postgres).toMatch(/\/bin\/postgres$/);
    expect(canReach(runtime.user, runtime.postgres, 'x')).toBe(true);
    expect(runtime.user === undefined).toBe(!asRoot);
  });
});

describe.runIf(asRoot)('as root, a data folder inside a private directory', { timeout: 60_000 }, () => {
  it('lives outside it, owned by postgres with mode 0700, behind a link; the private directory stays 0700', async () => {
    const runtime = postgresRuntime();
    const dataDir = join(privateDir, 'data', 'pg');
    const real = placeDataDir(runtime, dataDir);

    expect(lstatSync(dataDir).isSymbolicLink()).toBe(true);
    expect(readlinkSync(dataDir)).toBe(real);
    expect(real.startsWith(privateDir)).toBe(false);
    const stat = statSync(real);
    expect(stat.uid).toBe(runtime.user!.uid);
    expect(stat.mode & 0o777).toBe(0o700);
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);

    // A real cluster runs there, and the link is followed the next time.
    const password = generatePassword();
    await initCluster(runtime, real, { user: 'enforcer', password, initdbFlags: ['--no-sync'] });
    const port = await findFreePort();
    const postmaster = await spawnPostmaster(runtime, real, {
      port,
      flags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    });
    try {
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: 'enforcer',
        password,
        database: 'postgres',
      });
      await client.connect();
      const { rows } = await client.query<{ dir: string }>("select current_setting('data_directory') as dir");
      await client.end();
      expect(rows[0]!.dir).toBe(real);
    } finally {
      await postmaster.stop();
    }
    expect(placeDataDir(runtime, dataDir)).toBe(real);
  });

  it('refuses a runtime directory others can write to, saying what to do', () => {
    const shared = join(privateDir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const before = process.env.ENFORCER_PG_RUNTIME_DIR;
    process.env.ENFORCER_PG_RUNTIME_DIR = shared;
    try {
      expect(() => runtimeHome()).toThrow(PostgresRuntimeError);
      expect(() => runtimeHome()).toThrow(/must be a directory owned by root and writable only by root/);
    } finally {
      if (before === undefined) delete process.env.ENFORCER_PG_RUNTIME_DIR;
      else process.env.ENFORCER_PG_RUNTIME_DIR = before;
    }
  });
});
