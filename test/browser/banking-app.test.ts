// The banking demo in real headless Chromium against the real server: sign-in with an email code,
// the Transfer button gated by useCan('transfers.create') unlocking when the KYC module's development
// provider approves (its page, in the window the demo opens; rejected, it stays locked), tenant switching,
// and two tabs sharing one session (one refresh between them, sign-out reaching both).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserTestServer,
  type DemoApp,
  launchChromium,
  loopbackOnly,
  passKyc,
  startDemoWithEnforcer,
} from './support';

let server: BrowserTestServer;
let demo: DemoApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: Error[] = [];

beforeAll(async () => {
  ({ server, demo } = await startDemoWithEnforcer());
  browser = await launchChromium();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await demo?.close();
  await server?.close();
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

const email = () => `customer-${randomBytes(4).toString('hex')}@example.com`;

/** A fresh browser profile (its own localStorage), in which every `data-gate` value is recorded. */
async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  contexts.push(context);
  await loopbackOnly(context);
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { gates: string[] }).gates = seen;
    const record = () => {
      const value = document.querySelector('[data-gate]')?.getAttribute('data-gate');
      if (value && seen.at(-1) !== value) seen.push(value);
    };
    new MutationObserver(record).observe(document, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-gate'],
    });
  });
  return context;
}

async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(demo.url);
  return page;
}

async function signIn(page: Page, address: string, bank = 'Northwind Bank'): Promise<void> {
  // The sign-in form, or the demo's alert when its backend could not set the banks up.
  await page.locator('form, [role=alert]').first().waitFor();
  const alert = page.getByRole('alert');
  if (await alert.count()) throw new Error(`the demo says: ${await alert.textContent()}`);
  await page.getByLabel('Bank').selectOption({ label: bank });
  await page.getByLabel('Email').fill(address);
  await page.getByRole('button', { name: 'Send code' }).click();
  // A development server returns the code; the app shows it and fills it in.
  await expect.poll(() => page.getByLabel('One-time code').inputValue()).toMatch(/^\d{6}$/);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(address).waitFor();
}

const gate = (page: Page) => page.locator('[data-gate]');
const gateIs = (page: Page, status: string) => page.locator(`[data-gate="${status}"]`).waitFor();
const gatesSeen = (page: Page) => page.evaluate(() => (window as unknown as { gates: string[] }).gates);
const transferButton = (page: Page) => page.getByRole('button', { name: 'Transfer', exact: true });
const lockedTransfer = (page: Page) => page.getByRole('button', { name: '🔒 Transfer' });
/** The development provider's decisions the server answered (`POST /kyc/dev/{token}`). */
const decisions = () =>
  server.requests.filter((r) => r.method === 'POST' && /\/kyc\/dev\/[^/]+$/.test(r.path)).length;
const storedSession = (page: Page) =>
  page.evaluate(
    () => JSON.parse(localStorage.getItem('enforcer.session') ?? 'null') as { seq: number } | null,
  );

describe('the banking demo in Chromium, against the real server', () => {
  it('signs in with an email code; the KYC provider approves and Transfer unlocks, with no reload', async () => {
    const page = await open(await newContext());
    await signIn(page, email());
    await gateIs(page, 'denied');
    expect(await lockedTransfer(page).isDisabled()).toBe(true);
    await expect.poll(() => page.getByTestId('kyc-status').textContent()).toBe('Not verified yet');
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const before = {
      sessions: server.count('POST', '/kyc/sessions'),
      refreshes: server.count('POST', '/auth/refresh'),
      decisions: decisions(),
    };

    // "Verify identity": POST /kyc/sessions, the development provider's page in a new window, Approve.
    await passKyc(page, 'Approve');
    await gateIs(page, 'allowed');
    expect(await transferButton(page).isEnabled()).toBe(true);
    await expect.poll(() => page.getByTestId('kyc-status').textContent()).toBe('✓ Verified');
    // The app learnt it by asking GET /kyc/status, then took a new token (the grant version moved on).
    expect(server.count('POST', '/kyc/sessions') - before.sessions).toBe(1);
    expect(decisions() - before.decisions).toBe(1);
    expect(server.count('GET', '/kyc/status')).toBeGreaterThanOrEqual(2);
    expect(server.count('POST', '/auth/refresh') - before.refreshes).toBe(1);
    // The KYC module changed the group, not an admin call.
    expect(
      server.requests.filter((r) => r.method === 'POST' && /\/groups\/[^/]+\/members$/.test(r.path)),
    ).toHaveLength(0);

    // The server agrees (POST /authorize): the same policy decides in both places.
    await transferButton(page).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Server check: allowed (allowed_by_group)');

    if (process.env.UPDATE_SCREENSHOT) {
      await page.screenshot({
        path: fileURLToPath(new URL('../../docs/img/banking-app.png', import.meta.url)),
      });
    }

    // The same document all along, and the gate never flickered: unknown, then only real answers.
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    expect(await gatesSeen(page)).toEqual(['loading', 'denied', 'allowed']);
  });

  it('the provider rejects: Transfer stays locked; verifying again and approving unlocks it', async () => {
    const page = await open(await newContext());
    await signIn(page, email());
    await gateIs(page, 'denied');

    await passKyc(page, 'Reject');
    // The demo asks GET /kyc/status every 1.5 s while the provider decides.
    await page.getByTestId('kyc-status').getByText('Verification rejected').waitFor();
    expect(await gate(page).getAttribute('data-gate')).toBe('denied');
    expect(await lockedTransfer(page).isDisabled()).toBe(true);

    await passKyc(page, 'Approve');
    await gateIs(page, 'allowed');
    await expect.poll(() => page.getByTestId('kyc-status').textContent()).toBe('✓ Verified');
    expect(await gatesSeen(page)).toEqual(['loading', 'denied', 'allowed']);
  });

  it('switches tenants: the gate follows the tenant, and the other tab follows the switch', async () => {
    const context = await newContext();
    const page = await open(context);
    await signIn(page, email());
    await passKyc(page);
    await gateIs(page, 'allowed');
    const other = await open(context);
    await gateIs(other, 'allowed');

    // Join the second bank: a new session there, where this person has not passed KYC.
    await page.getByRole('button', { name: '+ Join Northwind Business' }).click();
    await page.locator('.brand', { hasText: 'Northwind Business' }).waitFor();
    await gateIs(page, 'denied');
    // This bank verifies on its own (it does not accept other banks' verifications).
    await expect.poll(() => page.getByTestId('kyc-status').textContent()).toBe('Not verified yet');
    await expect
      .poll(() => page.getByLabel('Switch bank').locator('option:checked').textContent())
      .toBe('Northwind Business');
    await other.locator('.brand', { hasText: 'Northwind Business' }).waitFor();
    await gateIs(other, 'denied');

    // Back to the first bank, with the switcher.
    await page.getByLabel('Switch bank').selectOption({ label: 'Northwind Bank' });
    await page.locator('.brand', { hasText: 'Northwind Bank' }).waitFor();
    await gateIs(page, 'allowed');
    await gateIs(other, 'allowed');
    expect(server.count('POST', '/auth/tenant/join')).toBe(1);
    expect(server.count('POST', '/auth/tenant/switch')).toBe(1);
    expect(await gate(page).getAttribute('data-gate')).toBe('allowed');
  });

  it('two tabs: the token expires, exactly one refresh between them, both stay signed in', async () => {
    const context = await newContext();
    await context.clock.install();
    const first = await open(context);
    await signIn(first, email());
    await gateIs(first, 'denied');
    const second = await open(context);
    await gateIs(second, 'denied');
    const before = await storedSession(first);
    const refreshes = server.count('POST', '/auth/refresh');

    // Both tabs' clocks jump past the access token's lifetime (900 s): both refresh timers fire.
    await context.clock.fastForward('15:00');
    await expect.poll(() => server.count('POST', '/auth/refresh') - refreshes).toBe(1);
    await expect.poll(async () => (await storedSession(second))?.seq).toBe((before?.seq ?? 0) + 1);
    // Give a second refresh (the one that must not happen) time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(server.count('POST', '/auth/refresh') - refreshes).toBe(1);
    expect(server.requests.filter((r) => r.path.endsWith('/auth/refresh') && r.status !== 200)).toEqual([]);

    // Both tabs work on with the new pair.
    for (const page of [first, second]) {
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      expect(await storedSession(page)).toEqual(await storedSession(first));
    }
    // KYC in one tab: its refresh (the new grant) reaches the other tab, which reloads its permissions too.
    await passKyc(second);
    await gateIs(second, 'allowed');
    await gateIs(first, 'allowed');
  });

  it('two tabs: signing out in one signs out the other', async () => {
    const context = await newContext();
    const first = await open(context);
    const address = email();
    await signIn(first, address);
    const second = await open(context);
    await second.getByText(address).waitFor();

    await second.getByRole('button', { name: 'Sign out' }).click();
    await first.getByRole('button', { name: 'Send code' }).waitFor();
    await second.getByRole('button', { name: 'Send code' }).waitFor();
    expect(await storedSession(first)).toBeNull();
    expect(server.count('POST', '/auth/logout')).toBeGreaterThanOrEqual(1);
  });
});
