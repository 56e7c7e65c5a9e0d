// "Sign in with <OpenID Provider>" in the banking demo, in real headless Chromium (#17): the demo's button,
// Enforcer's authorization URL (PKCE, state, nonce), a real OpenID Provider started here (panva's
// `oidc-provider`, its login and consent pages filled in Chromium), Enforcer's callback (reached through the
// demo's proxy, as behind a reverse proxy), the one-time code back on the demo's callback page, the SDK's
// exchange (`useOAuthCallback`), and the bank showing the signed-in person.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RealProvider, startRealProvider } from '../support/oidc-provider';
import {
  type BrowserTestServer,
  type DemoApp,
  demoOidcCallback,
  freePort,
  issuerOnDemo,
  launchChromium,
  loopbackOnly,
  startDemoWithEnforcer,
} from './support';

let op: RealProvider;
let server: BrowserTestServer;
let demo: DemoApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: Error[] = [];

beforeAll(async () => {
  const port = await freePort();
  op = await startRealProvider([
    {
      client_id: 'banking-demo',
      client_secret: 'banking-demo-op-secret',
      redirect_uris: [demoOidcCallback(issuerOnDemo(port))],
    },
  ]);
  op.accounts.set('ada', { email: 'ada@example.com', email_verified: true });
  op.accounts.set('grace', { email: 'grace@example.com', email_verified: true });
  ({ server, demo } = await startDemoWithEnforcer({
    port,
    oidc: {
      issuer: op.issuer,
      clientId: 'banking-demo',
      clientSecret: 'banking-demo-op-secret',
      label: 'Test ID',
    },
  }));
  browser = await launchChromium();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await demo?.close();
  await server?.close();
  await op?.close();
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

async function open(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  await loopbackOnly(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(demo.url);
  await page.locator('form, [role=alert]').first().waitFor();
  const alert = page.getByRole('alert');
  if (await alert.count()) throw new Error(`the demo says: ${await alert.textContent()}`);
  return page;
}

const oauthButton = (page: Page) => page.getByRole('button', { name: 'Sign in with Test ID' });
const onProvider = (page: Page) => page.url().startsWith(op.issuer);
const storedSession = (page: Page) =>
  page.evaluate(
    () =>
      JSON.parse(localStorage.getItem('enforcer.session') ?? 'null') as {
        account: { id: string; email: string | null };
      } | null,
  );

/**
 * The provider's pages as a person passes them: its login form (any password: a development provider),
 * then its consent page; either is skipped when the provider remembers the person or the grant.
 */
async function passProvider(page: Page, login: string): Promise<void> {
  const loginField = page.getByPlaceholder('Enter any login');
  const consent = page.getByRole('button', { name: 'Continue' });
  const backAtTheBank = page.locator('.brand');
  for (let step = 0; step < 3; step++) {
    await loginField.or(consent).or(backAtTheBank).first().waitFor();
    if (await backAtTheBank.count()) return;
    expect(onProvider(page)).toBe(true);
    const before = page.url();
    if (await loginField.count()) {
      await loginField.fill(login);
      await page.getByPlaceholder('and password').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    } else {
      await consent.click();
    }
    await page.waitForURL((url) => url.href !== before);
  }
  await backAtTheBank.waitFor();
}

describe('the banking demo: sign in with an OpenID Provider, in Chromium', () => {
  it('redirects to the provider, fills its login and consent pages, and comes back signed in', async () => {
    const page = await open();
    await page.getByLabel('Bank').selectOption({ label: 'Northwind Bank' });
    const exchanges = server.count('POST', '/auth/oauth/exchange');

    await oauthButton(page).click();
    await page.waitForURL((url) => url.href.startsWith(op.issuer));
    await passProvider(page, 'ada');

    // Signed in as the provider's person: the bank's page, with their verified email.
    await page.getByText('ada@example.com').waitFor();
    await page.locator('.brand', { hasText: 'Northwind Bank' }).waitFor();
    await page.locator('[data-gate="denied"]').waitFor(); // a new customer: not verified
    await expect.poll(() => page.getByTestId('amr').textContent()).toBe('oauth');
    // The one-time code was traded once and left the address bar; the demo is back on its own page.
    expect(server.count('POST', '/auth/oauth/exchange') - exchanges).toBe(1);
    expect(server.count('GET', '/auth/oauth/oidc/callback')).toBeGreaterThanOrEqual(1);
    expect(page.url()).toBe(`${demo.url}/`);
    const first = await storedSession(page);
    expect(first?.account.email).toBe('ada@example.com');

    // Signed out and back: the provider remembers the person, and Enforcer finds the same account.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await oauthButton(page).click();
    await passProvider(page, 'ada');
    await page.getByText('ada@example.com').waitFor();
    expect((await storedSession(page))?.account.id).toBe(first?.account.id);
  });

  it("the tenant's redirect allow-list holds the demo's callback; a sign-in cancelled at the provider is shown", async () => {
    const [bank] = await demo.tenants();
    const settings = await fetch(`${server.origin}/api/v1/enforcer/tenants/${bank!.id}/oauth`, {
      headers: { 'x-api-key': bank!.apiKey },
    });
    expect(settings.status).toBe(200);
    const body = (await settings.json()) as { redirect_urls: string[]; providers: { issuer: string }[] };
    expect(body.redirect_urls).toContain(`${demo.url}/oauth/callback`);
    expect(body.providers.map((p) => p.issuer)).toEqual([op.issuer]);

    const page = await open();
    await oauthButton(page).click();
    await page.getByPlaceholder('Enter any login').waitFor();
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    // The provider answered access_denied to Enforcer, which sent the browser back with the error.
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Sign-in failed');
    expect(new URL(page.url()).searchParams.get('error')).toBeNull(); // cleared from the address bar
    await page.getByRole('button', { name: 'Back to sign-in' }).click();
    await oauthButton(page).waitFor();
    expect(await storedSession(page)).toBeNull();
  });
});
