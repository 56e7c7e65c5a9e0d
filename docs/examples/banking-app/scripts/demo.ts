// `pnpm demo`: the Enforcer server (embedded PostgreSQL, development mode) and the banking app's
// Vite dev server, together. Ctrl-C (or SIGTERM) stops both, and PostgreSQL with the server.
//
// Both run on this process's Node (24) directly, not through pnpm or the node_modules/.bin/node
// shell wrapper, which do not pass signals on (docs/server.md). For the same reason this script
// is started with `exec` and watches its parent: orphaned, it stops everything.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = process.env.PORT ?? '8080';
const appPort = process.env.DEMO_PORT ?? '5173';
const enforcerUrl = `http://127.0.0.1:${port}`;
const appDir = fileURLToPath(new URL('..', import.meta.url));
const serverDir = fileURLToPath(new URL('../../../../server', import.meta.url));
const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, args: string[], cwd: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[demo] ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
    stop(code || 1);
  });
}

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  const running = () => children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running()) child.kill('SIGTERM');
  const wait = setInterval(() => {
    if (running().length > 0) return;
    clearInterval(wait);
    process.exit(code);
  }, 100);
}

process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(143));
process.on('SIGHUP', () => stop(129));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop(1);
}, 1000).unref();

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!stopping) throw new Error(`Enforcer did not become ready at ${url}`);
}

start('the Enforcer server', ['--conditions=source', '--import', 'tsx', 'src/main.ts'], serverDir, {
  PORT: port,
});
try {
  await waitUntilReady(`${enforcerUrl}/readyz`, 120_000);
} catch (error) {
  console.error(`[demo] ${(error as Error).message}`);
  stop(1);
}
if (!stopping) {
  start('the Vite dev server', [viteBin, '--port', appPort, '--strictPort'], appDir, {
    ENFORCER_URL: enforcerUrl,
  });
  console.log(`\n[demo] Enforcer: ${enforcerUrl}   Banking app: http://127.0.0.1:${appPort}\n`);
}
