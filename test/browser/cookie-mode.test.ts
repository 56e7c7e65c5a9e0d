// The refresh-token cookie mode in real Chromium (#18): a page on http://localhost:<page port> uses the SDK
// with `tokenStorage: 'cookie'` against Enforcer on http://localhost:<its port> (another origin, the same
// site, as app.example.com and auth.example.com are). It signs in, reloads and stays signed in by the
// HttpOnly cookie alone, and nothing the page's scripts can reach ever holds the refresh token.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@enforcer/server/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build, defaultClientConditions, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './support';

const pageDir = fileURLToPath(new URL('./cookie-page/', import.meta.url));
const COOKIE = '__Secure-enforcer-refresh';

let server: TestServer;
let site: PreviewServer;
let work: string;
let browser: Browser;
let context: BrowserContext;
let enforcerOrigin: string;
let pageOrigin: string;
let tenantCode: string;
const pageErrors: Error[] = [];

beforeAll(async () => {
  server = await startTestServer();
  // Both on localhost: two origins (ports), one site, so SameSite=Strict cookies flow between them.
  enforcerOrigin = server.origin.replace('//127.0.0.1:', '//localhost:');
  work = await mkdtemp(join(tmpdir(), 'enforcer-cookie-page-'));
  const outDir = join(work, 'dist');
  await build({
    root: pageDir,
    configFile: false,
    logLevel: 'warn',
    // The workspace packages from their TypeScript sources (no build needed), as the banking demo does.
    resolve: { conditions: ['source', ...defaultClientConditions] },
    build: { outDir, emptyOutDir: true },
  });
  site = await preview({
    root: pageDir,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, strictPort: false, host: '127.0.0.1', open: false },
  });
  const url = site.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its URL');
  pageOrigin = url.replace(/\/$/, '').replace('//127.0.0.1:', '//localhost:');

  const tenant = await server.db.seedTenant({ name: 'Cookie Bank' });
  tenantCode = tenant.code;
  const owner = await server.db.seedAccount({
    tenantId: tenant.id,
    role: 'owner',
    email: 'owner@cookie.example',
  });
  const { accessToken } = await server.signIn({ accountId: owner.accountId });
  const allowed = await fetch(`${server.baseUrl}/tenants/${tenant.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ allowed_origins: [pageOrigin] }),
  });
  expect(allowed.status).toBe(200);

  browser = await launchChromium();
  context = await browser.newContext();
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await site?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function open(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  const query = new URLSearchParams({ enforcer: enforcerOrigin, tenant: tenantCode });
  await page.goto(`${pageOrigin}/?${query}`);
  await page.waitForFunction(() => 'app' in window);
  return page;
}

type PageApp = {
  signIn(email: string): Promise<string>;
  session(): Promise<{ status: string; account?: string }>;
  token(): Promise<string | null>;
  refresh(): Promise<void>;
  logout(): Promise<void>;
};
/** Calls one of the page's `window.app` methods. */
const app = <K extends keyof PageApp>(page: Page, method: K, ...args: Parameters<PageApp[K]>) =>
  page.evaluate(
    ([name, list]) => {
      const target = (window as unknown as { app: Record<string, (...a: unknown[]) => unknown> }).app;
      return target[name as string]!(...(list as unknown[]));
    },
    [method, args] as const,
  ) as ReturnType<PageApp[K]>;

/** Everything the page's own scripts can read: document.cookie and both web storages. */
const readableByScripts = (page: Page) =>
  page.evaluate(() => ({
    cookie: document.cookie,
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  }));

const refreshes = () =>
  server.answers.filter((a) => a.method === 'POST' && a.path === '/api/v1/enforcer/auth/refresh');

it('signs in from another origin; the refresh token is an HttpOnly cookie scripts cannot read', async () => {
  const page = await open();
  expect(await app(page, 'session')).toEqual({ status: 'signed_out' });
  const email = `customer-${randomBytes(4).toString('hex')}@example.com`;
  expect(await app(page, 'signIn', email)).toBe('signed_in');

  const cookies = (await context.cookies()).filter((c) => c.name === COOKIE);
  expect(cookies.map((c) => c.path).sort()).toEqual([
    '/api/v1/enforcer/auth/logout',
    '/api/v1/enforcer/auth/refresh',
  ]);
  for (const cookie of cookies) {
    expect(cookie).toMatchObject({ domain: 'localhost', httpOnly: true, secure: true, sameSite: 'Strict' });
  }
  const refreshToken = cookies[0]!.value;
  expect(refreshToken.length).toBeGreaterThan(20);
  const readable = await readableByScripts(page);
  expect(readable.cookie).not.toContain(COOKIE);
  expect(readable.cookie).not.toContain(refreshToken);
  expect(readable.storage).not.toContain(refreshToken);
  expect(readable.storage).toContain('"token'); // the access token is there, the refresh token is not
  // Scoped to Enforcer's two routes: not sent to the page's own paths, nor to Enforcer's other routes.
  expect(await context.cookies(`${enforcerOrigin}/api/v1/enforcer/auth/me`)).toEqual([]);
  expect(await context.cookies(`${enforcerOrigin}/api/v1/enforcer/auth/refresh`)).toHaveLength(1);
  await page.close();
});

it('reloads and stays signed in by the cookie; a refresh rotates it', async () => {
  {
    // Drop the stored access token too: only the HttpOnly cookie can bring the session back.
    const page = await open();
    await page.evaluate(() => localStorage.clear());
    const before = refreshes().length;
    const first = (await context.cookies()).find((c) => c.name === COOKIE)!.value;
    await page.reload();
    await page.waitForFunction(() => 'app' in window);
    const session = await app(page, 'session');
    expect(session.status).toBe('signed_in');
    expect(refreshes().length).toBe(before + 1);
    expect(refreshes().at(-1)?.status).toBe(200);
    const second = (await context.cookies()).find((c) => c.name === COOKIE)!.value;
    expect(second).not.toBe(first);

    await app(page, 'refresh');
    const third = (await context.cookies()).find((c) => c.name === COOKIE)!.value;
    expect(third).not.toBe(second);
    expect(refreshes().at(-1)?.status).toBe(200);
    await page.close();
  }
});

it('logout ends the session and the browser forgets the cookie', async () => {
  const page = await open();
  expect((await app(page, 'session')).status).toBe('signed_in');
  await app(page, 'logout');
  expect((await context.cookies()).filter((c) => c.name === COOKIE)).toEqual([]);
  await page.reload();
  await page.waitForFunction(() => 'app' in window);
  expect(await app(page, 'session')).toEqual({ status: 'signed_out' });
  expect(pageErrors).toEqual([]);
  await page.close();
});
