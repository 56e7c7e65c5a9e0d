// Browser tests: the real Enforcer server on a real PostgreSQL, the banking demo app built with
// Vite and served by Vite's preview server (its proxy and demo backend included), and headless
// Chromium driven by playwright-core.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '@enforcer/server/testing';
import { type Browser, chromium } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';

export interface RecordedRequest {
  method: string;
  /** The path without the query, e.g. `/api/v1/enforcer/auth/refresh`. */
  path: string;
  status: number;
}

export interface BrowserTestServer {
  origin: string;
  /** Every request the server answered, in order. */
  requests: RecordedRequest[];
  /** How many `method` requests to `path` (relative to the API base path) the server answered. */
  count(method: string, path: string): number;
  close(): Promise<void>;
}

const basePath = '/api/v1/enforcer';

/** The server as `test/e2e/harness.ts` starts it (@enforcer/server/testing), with what it answered. */
export async function startEnforcer(env: Record<string, string> = {}): Promise<BrowserTestServer> {
  const server = await startTestServer({ env });
  const requests: RecordedRequest[] = server.answers;
  return {
    origin: server.origin,
    requests,
    count: (method, path) =>
      requests.filter((r) => r.method === method && r.path === `${basePath}${path}`).length,
    close: () => server.close(),
  };
}

const demoDir = fileURLToPath(new URL('../../docs/examples/banking-app/', import.meta.url));

/** A bank the demo backend provisioned, with the API key it keeps (never sent to the browser). */
export interface DemoTenant {
  id: string;
  code: string;
  name: string;
  apiKey: string;
}

export interface DemoApp {
  url: string;
  /** The demo's banks, provisioned first if they are not yet (for test setup as their admin). */
  tenants(): Promise<DemoTenant[]>;
  close(): Promise<void>;
}

/**
 * Builds the banking demo (production build, from the workspace sources) and serves it with
 * `vite preview` on a free port, proxying `/api/v1/enforcer` to `enforcerUrl`; the demo backend
 * keeps its state in a temporary file. With `direct`, the app's browser code calls `enforcerUrl` itself,
 * from its own origin (CORS), instead of through the proxy.
 */
export async function startDemo(enforcerUrl: string, options: { direct?: boolean } = {}): Promise<DemoApp> {
  const work = await mkdtemp(join(tmpdir(), 'enforcer-banking-demo-'));
  const outDir = join(work, 'dist');
  // vite.config.ts reads these when Vite loads it.
  process.env.ENFORCER_URL = enforcerUrl;
  const stateFile = join(work, 'demo-state.json');
  process.env.DEMO_STATE_FILE = stateFile;
  const configFile = join(demoDir, 'vite.config.ts');
  if (options.direct) process.env.ENFORCER_BROWSER_URL = enforcerUrl;
  else delete process.env.ENFORCER_BROWSER_URL;
  await build({ root: demoDir, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    root: demoDir,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, strictPort: false, host: '127.0.0.1', open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its URL');
  return {
    url: url.replace(/\/$/, ''),
    tenants: async () => {
      const config = await fetch(new URL('/demo/config', url));
      if (!config.ok) throw new Error(`the demo backend answered ${config.status}`);
      const state = JSON.parse(await readFile(stateFile, 'utf8'));
      return (state as { tenants: DemoTenant[] }).tenants;
    },
    close: async () => {
      await server.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** The flags of docs/react.md: headless, no sandbox (root in CI), nothing phoning home. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
}
