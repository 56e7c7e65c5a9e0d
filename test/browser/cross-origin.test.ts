// The banking demo calling Enforcer from another origin in real Chromium (#18): the page on
// http://localhost:<demo port>, Enforcer on http://127.0.0.1:<its port>, no proxy between them. Until a
// tenant lists the page's origin in `allowed_origins`, Chromium stops at the preflight; once it does, the
// SDK signs in, refreshes and decides exactly as through the proxy.
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type BrowserTestServer,
  type DemoApp,
  launchChromium,
  passKyc,
  startDemoWithEnforcer,
} from './support';

let server: BrowserTestServer;
let demo: DemoApp;
let browser: Browser;
let context: BrowserContext;
/** The page's origin: `localhost`, since a tenant may allow plain http only there. */
let pageOrigin: string;
const pageErrors: Error[] = [];

beforeAll(async () => {
  ({ server, demo } = await startDemoWithEnforcer({ direct: true }));
  pageOrigin = demo.url.replace('//127.0.0.1:', '//localhost:');
  browser = await launchChromium();
  context = await browser.newContext();
});
afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await demo?.close();
  await server?.close();
});

const api = (path: string, init: { method: string; apiKey: string; body?: unknown }) =>
  fetch(`${server.origin}/api/v1/enforcer${path}`, {
    method: init.method,
    headers: { 'x-api-key': init.apiKey, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

async function allowPageOrigin(origins: string[]): Promise<void> {
  for (const tenant of await demo.tenants()) {
    const response = await api(`/tenants/${tenant.id}`, {
      method: 'PATCH',
      apiKey: tenant.apiKey,
      body: { allowed_origins: origins },
    });
    expect(response.status).toBe(200);
  }
}

async function open(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(pageOrigin);
  await page.locator('form, [role=alert]').first().waitFor();
  return page;
}

const requested = (method: string, path: string) => server.count(method, path);

it('is stopped at the preflight while the page origin is not allowed', async () => {
  await demo.tenants(); // the demo backend provisions its banks (server to server: no CORS)
  await allowPageOrigin([]);
  const page = await open();
  // The demo backend requests codes too (server to server, when it sets its banks up): count from here.
  const before = requested('POST', '/auth/otp/request');
  await page.getByLabel('Email').fill(`customer-${randomBytes(4).toString('hex')}@example.com`);
  await page.getByRole('button', { name: 'Send code' }).click();
  // Chromium asked, got no Access-Control-Allow-Origin, and never sent the request itself.
  await expect.poll(() => requested('OPTIONS', '/auth/otp/request')).toBeGreaterThan(0);
  await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
  expect(requested('POST', '/auth/otp/request')).toBe(before);
  await page.close();
});

it('signs in, unlocks Transfer with KYC and asks the server, all across origins, once allowed', async () => {
  await allowPageOrigin([pageOrigin]);
  const page = await open();
  const address = `customer-${randomBytes(4).toString('hex')}@example.com`;
  await page.getByLabel('Bank').selectOption({ label: 'Northwind Bank' });
  await page.getByLabel('Email').fill(address);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect.poll(() => page.getByLabel('One-time code').inputValue()).toMatch(/^\d{6}$/);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(address).waitFor();
  await page.locator('[data-gate="denied"]').waitFor();

  // The KYC development provider approves (its page is Enforcer's, in a window of its own).
  await passKyc(page);
  await page.locator('[data-gate="allowed"]').waitFor();
  await page.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect
    .poll(() => page.getByRole('status').textContent())
    .toContain('Server check: allowed (allowed_by_group)');

  // The SDK's calls went straight to Enforcer: sign-in, permissions and the server's check.
  expect(requested('POST', '/auth/login')).toBeGreaterThan(0);
  expect(requested('POST', '/kyc/sessions')).toBe(1);
  expect(requested('GET', '/auth/permissions')).toBeGreaterThan(0);
  expect(requested('POST', '/authorize')).toBeGreaterThan(0);
  expect(pageErrors).toEqual([]);
});
