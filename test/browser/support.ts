// Browser tests: the real Enforcer server on a real PostgreSQL, the banking demo app built with
// Vite and served by Vite's preview server (its proxy and demo backend included), and headless
// Chromium driven by playwright-core.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '@enforcer/server/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
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

/** A port free on 127.0.0.1 now (the OS's pick), for a server that must know its URL before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The server and the demo, with the server's public URL (`ENFORCER_ISSUER`) on the demo's origin: the
 * browser reaches the pages Enforcer serves itself (the KYC development provider's page, the social sign-in
 * callback) through the demo's proxy, as through a production reverse proxy. `startEnforcer` alone leaves
 * the issuer at its default (`http://localhost:8080/...`), which nothing listens on in the tests.
 */
export async function startDemoWithEnforcer(
  options: { direct?: boolean; oidc?: DemoOidc; env?: Record<string, string>; port?: number } = {},
): Promise<{ server: BrowserTestServer; demo: DemoApp }> {
  const port = options.port ?? (await freePort());
  const server = await startEnforcer({
    ENFORCER_ISSUER: issuerOnDemo(port),
    ...options.env,
  });
  try {
    const demo = await startDemo(server.origin, { ...options, port });
    return { server, demo };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** An OpenID Provider the demo backend registers on its banks ("Sign in with <label>"). */
export interface DemoOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  label: string;
}

/** Enforcer's public URL when the demo listens on `port` (what `startDemoWithEnforcer` sets). */
export const issuerOnDemo = (port: number) => `http://127.0.0.1:${port}${basePath}`;

/** Enforcer's callback for the demo's OpenID Provider, to register at the provider (`redirect_uris`). */
export const demoOidcCallback = (issuer: string) => `${issuer}/auth/oauth/oidc/callback`;

/**
 * Builds the banking demo (production build, from the workspace sources) and serves it with
 * `vite preview` on a free port (or `port`), proxying `/api/v1/enforcer` to `enforcerUrl`; the demo backend
 * keeps its state in a temporary file. With `direct`, the app's browser code calls `enforcerUrl` itself,
 * from its own origin (CORS), instead of through the proxy. With `oidc`, the banks accept that provider.
 */
export async function startDemo(
  enforcerUrl: string,
  options: { direct?: boolean; port?: number; oidc?: DemoOidc } = {},
): Promise<DemoApp> {
  const work = await mkdtemp(join(tmpdir(), 'enforcer-banking-demo-'));
  const outDir = join(work, 'dist');
  // vite.config.ts reads these when Vite loads it.
  process.env.ENFORCER_URL = enforcerUrl;
  const stateFile = join(work, 'demo-state.json');
  process.env.DEMO_STATE_FILE = stateFile;
  const configFile = join(demoDir, 'vite.config.ts');
  if (options.direct) process.env.ENFORCER_BROWSER_URL = enforcerUrl;
  else delete process.env.ENFORCER_BROWSER_URL;
  const oidcEnv = {
    DEMO_OIDC_ISSUER: options.oidc?.issuer,
    DEMO_OIDC_CLIENT_ID: options.oidc?.clientId,
    DEMO_OIDC_CLIENT_SECRET: options.oidc?.clientSecret,
    DEMO_OIDC_LABEL: options.oidc?.label,
  };
  for (const [name, value] of Object.entries(oidcEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await build({ root: demoDir, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    root: demoDir,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: {
      port: options.port ?? 0,
      strictPort: options.port !== undefined,
      host: '127.0.0.1',
      open: false,
    },
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

/**
 * The flags of docs/react.md: headless, no sandbox (root in CI), nothing phoning home, and no host name
 * but localhost resolves (a page that links a web font, as oidc-provider's login page does, stays on loopback).
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
}

/**
 * Only loopback: every request of the context's pages to another host is aborted before it leaves Chromium.
 * The host resolver rule above stops host names; this stops IP addresses too.
 */
export async function loopbackOnly(context: BrowserContext): Promise<void> {
  await context.route(
    (url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && url.protocol !== 'data:',
    (route) => route.abort('blockedbyclient'),
  );
}

/**
 * The demo's "Verify identity": it opens the KYC development provider's page in a new window, where this
 * clicks Approve (or Reject) and waits for the page's answer, then closes it, as a person would.
 */
export async function passKyc(page: Page, decision: 'Approve' | 'Reject' = 'Approve'): Promise<void> {
  const opened = page.context().waitForEvent('page');
  await page.getByRole('button', { name: /^(Verify identity|Open the verification page again)$/ }).click();
  const provider = await opened;
  await provider.getByRole('button', { name: decision }).click();
  const outcome = decision === 'Approve' ? 'approved' : 'rejected';
  await provider.getByText(`Verification ${outcome}.`).waitFor();
  await provider.close();
}
