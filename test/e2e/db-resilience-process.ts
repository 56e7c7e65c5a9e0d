// Runs the real `pnpm start` entry point (server/src/main.ts) as a child process with its own embedded
// PostgreSQL under a data folder of the test's choosing, for the database resilience tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort, readPostmasterPid } from '@enforcer/server/testing/postgres';
import { type Api, apiClient } from './harness.js';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'server');

export interface EnforcerProcess {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  api: Api;
  /** stdout + stderr so far. */
  output(): string;
  /** The pid of the embedded postmaster, from postmaster.pid. */
  postmasterPid(): number | undefined;
  /** Its port, from postmaster.pid. */
  postmasterPort(): number | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

/** Starts `src/main.ts` in development mode on a free port; resolves once the ready banner is printed. */
export async function startEnforcer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<EnforcerProcess> {
  const port = await findFreePort();
  // process.execPath is the repo's Node 24 (tests run through pnpm), not the shell wrapper.
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      ENFORCER_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setInterval(() => {
      if (output.includes('Enforcer is running')) {
        clearInterval(timer);
        resolve(true);
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      resolve(false);
    });
    setTimeout(() => {
      clearInterval(timer);
      resolve(false);
    }, 60_000).unref();
  });
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`the server did not start:\n${output.slice(-6000)}`);
  }
  const baseUrl = `http://127.0.0.1:${port}/api/v1/enforcer`;
  return {
    child,
    pid: child.pid!,
    baseUrl,
    api: apiClient(baseUrl),
    output: () => output,
    postmasterPid: () => readPostmasterPid(join(dataDir, 'pg'))?.pid,
    postmasterPort: () => readPostmasterPid(join(dataDir, 'pg'))?.port,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A development-mode owner of a new tenant, and an API key: the quickstart's first two steps. */
export async function ownerAndApiKey(
  api: Api,
): Promise<{ token: string; apiKey: string; email: string; tenantCode: string }> {
  const email = `owner-${Date.now().toString(36)}@example.com`;
  const code = await api('POST', '/auth/otp/request', { body: { email } });
  if (code.status !== 200) throw new Error(`otp request: ${code.status} ${JSON.stringify(code.body)}`);
  const tenant = await api('POST', '/tenants/self-serve', {
    body: { name: 'Resilience', admin_email: email, otp: code.body.code },
  });
  if (tenant.status !== 201) throw new Error(`self-serve: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const key = await api('POST', '/api-keys', { token: tenant.body.token, body: { name: 'server-key' } });
  if (key.status !== 201) throw new Error(`api key: ${key.status} ${JSON.stringify(key.body)}`);
  return { token: tenant.body.token, apiKey: key.body.key, email, tenantCode: tenant.body.tenant.code };
}

export const isAlive = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `check` every 200 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

export const readText = (file: string) => readFileSync(file, 'utf8');

/**
 * Listens on 127.0.0.1:`port` as soon as it is free (retrying every 10 ms for `timeoutMs`): a dead
 * PostgreSQL's port held this way makes its restart fail until `close()`, so an outage lasts as long as a
 * test needs it to.
 */
export async function holdPort(port: number, timeoutMs = 5_000): Promise<{ close(): Promise<void> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const server = createServer((socket) => socket.destroy());
    const error = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(port, '127.0.0.1', () => resolve(undefined));
    });
    if (!error) return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    if (Date.now() > deadline) throw new Error(`port ${port} did not become free: ${error.message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
