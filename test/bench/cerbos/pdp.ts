import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CerbosPolicyFiles } from './policy';

/**
 * The Cerbos PDP from the npm package `@cerbos/cerbos-linux-x64` (a root devDependency, used by
 * this bench only), started as its own process on loopback: HTTP on a free port, gRPC on another
 * (unused, but Cerbos always listens), policies from a temporary directory on disk, telemetry off,
 * the debug (gops) listener on loopback, audit off (its default). With `jwks`, Cerbos also verifies
 * the JWT a request carries in `auxData.jwt` against that key set (a local file, key set id `enforcer`).
 */

export const cerbosPackage = '@cerbos/cerbos-linux-x64';

/** The binary's path, or why there is none on this platform (the bench then skips). */
export function cerbosBinary(): { path: string; version: string } | { missing: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return {
      missing: `${cerbosPackage} ships a binary for linux/x64 only (this is ${process.platform}/${process.arch})`,
    };
  let path: string;
  try {
    // The package's `main` is the binary itself.
    path = createRequire(import.meta.url).resolve(cerbosPackage);
  } catch {
    return { missing: `${cerbosPackage} is not installed (pnpm install)` };
  }
  if (!existsSync(path)) return { missing: `${path} is missing` };
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return { path, version: out.split('\n')[0]!.trim() };
  } catch (error) {
    return { missing: `${path} does not run here: ${(error as Error).message}` };
  }
}

export interface Pdp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  version: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPdp(
  binary: { path: string; version: string },
  policies: CerbosPolicyFiles,
  options: { jwks?: unknown } = {},
): Promise<Pdp> {
  const dir = await mkdtemp(join(tmpdir(), 'enforcer-bench-cerbos-'));
  const policyDir = join(dir, 'policies');
  await mkdir(policyDir);
  for (const [file, content] of Object.entries(policies)) await writeFile(join(policyDir, file), content);
  const jwksPath = join(dir, 'jwks.json');
  if (options.jwks) await writeFile(jwksPath, JSON.stringify(options.jwks));
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  // JSON is YAML: Cerbos reads this config as it reads the policies.
  const config = {
    server: { httpListenAddr: `127.0.0.1:${httpPort}`, grpcListenAddr: `127.0.0.1:${grpcPort}` },
    storage: { driver: 'disk', disk: { directory: policyDir, watchForChanges: false } },
    telemetry: { disabled: true },
    audit: { enabled: false },
    ...(options.jwks
      ? { auxData: { jwt: { keySets: [{ id: 'enforcer', local: { file: jwksPath } }] } } }
      : {}),
  };
  const configPath = join(dir, 'config.yaml');
  await writeFile(configPath, JSON.stringify(config));
  const child: ChildProcess = spawn(
    binary.path,
    ['server', `--config=${configPath}`, '--debug-listen-addr=127.0.0.1:0', '--log-level=error'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CERBOS_NO_TELEMETRY: '1' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const close = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (exited === undefined) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    // Ready when its health check answers SERVING (a policy that does not compile stops it first).
    for (let i = 0; ; i++) {
      if (exited !== undefined) throw new Error(`cerbos exited ${exited}: ${stderr.trim()}`);
      const health = await fetch(`${url}/_cerbos/health`).catch(() => undefined);
      if (health?.ok && ((await health.json()) as { status?: string }).status === 'SERVING') break;
      if (i >= 300) throw new Error(`cerbos did not become ready in 30 s: ${stderr.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { url, version: binary.version, close };
}
