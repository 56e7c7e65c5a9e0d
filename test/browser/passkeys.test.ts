// Passkeys in real headless Chromium with its CDP virtual authenticator, against the real server and
// the banking demo (whose buttons call the SDK's lazily loaded passkeys module, and so
// @simplewebauthn/browser, in the page): sign in with an email code, add a passkey, sign out, sign in
// again with it (discoverable: no email typed), and the refusals (a passkey deleted on the server;
// a bank that does not accept passkeys; a credential the authenticator no longer holds).
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserTestServer,
  type DemoApp,
  type DemoTenant,
  launchChromium,
  startDemo,
  startEnforcer,
} from './support';

let server: BrowserTestServer;
let demo: DemoApp;
let browser: Browser;
let bank: DemoTenant;
let otherBank: DemoTenant;
/** The demo's origin under `localhost`: WebAuthn refuses IP addresses as relying party ids. */
let origin: string;
const contexts: BrowserContext[] = [];
const pageErrors: Error[] = [];
const api = '/api/v1/enforcer';

async function asAdmin(tenant: DemoTenant, method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${server.origin}${api}${path}`, {
    method,
    headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

beforeAll(async () => {
  server = await startEnforcer();
  demo = await startDemo(server.origin);
  browser = await launchChromium();
  origin = demo.url.replace('//127.0.0.1:', '//localhost:');
  [bank, otherBank] = (await demo.tenants()) as [DemoTenant, DemoTenant];
  // The first bank accepts passkeys for this origin; the second does not accept them at all.
  await asAdmin(bank, 'PUT', `/tenants/${bank.id}/auth-provider`, { providers: ['email_otp', 'passkey'] });
  await asAdmin(bank, 'PATCH', `/tenants/${bank.id}`, {
    auth_settings: { passkey: { rp_id: 'localhost', rp_name: bank.name, origins: [origin] } },
  });
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

/** A page of the demo with a platform authenticator (user verification always succeeds). */
async function openWithAuthenticator(): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(origin);
  return { page, cdp, authenticatorId };
}

async function signInWithCode(page: Page, email: string): Promise<void> {
  await page.getByLabel('Bank').selectOption({ label: bank.name });
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect.poll(() => page.getByLabel('One-time code').inputValue()).toMatch(/^\d{6}$/);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText(email).waitFor();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Send code' }).waitFor();
}

/** The statuses of the server's answers to `POST /auth/passkey/login/finish`, in order. */
const finishes = () =>
  server.requests.filter((r) => r.path === `${api}/auth/passkey/login/finish`).map((r) => r.status);

/** A call to the server with the access token the page holds. */
async function asPage<T>(page: Page, method: string, path: string): Promise<T> {
  const token = await page.evaluate(
    () => (JSON.parse(localStorage.getItem('enforcer.session') ?? 'null') as { token: string } | null)?.token,
  );
  const response = await fetch(`${server.origin}${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.ok).toBe(true);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** `GET /auth/me`: the server's view of the page's session. */
const me = (page: Page) =>
  asPage<{ person: { id: string }; session: { amr: string[] } }>(page, 'GET', '/auth/me');

describe('passkeys in Chromium (virtual authenticator), against the real server', () => {
  it('adds a passkey, signs out, signs in with it (discoverable); the refusals', async () => {
    const { page, cdp, authenticatorId } = await openWithAuthenticator();
    const email = `passkey-${randomBytes(4).toString('hex')}@example.com`;
    await signInWithCode(page, email);
    const byCode = await me(page);
    expect(byCode.session.amr).not.toContain('hwk');

    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.getByTestId('passkey-status').textContent()).toContain('Passkey added');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    expect(server.count('POST', '/auth/passkey/register/finish')).toBe(1);

    // Signed out, then back in with the passkey: no email typed, the authenticator offers it.
    await signOut(page);
    await page.getByLabel('Bank').selectOption({ label: bank.name });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText(email).waitFor();
    const byPasskey = await me(page);
    expect(byPasskey.person.id).toBe(byCode.person.id);
    expect(byPasskey.session.amr).toContain('hwk');
    expect(finishes()).toEqual([200]);

    // Refused by the server: the passkey was deleted there, the authenticator still offers it.
    const { data: passkeys } = await asPage<{ data: { id: string }[] }>(
      page,
      'GET',
      '/auth/passkey/credentials',
    );
    expect(passkeys).toHaveLength(1);
    await asPage(page, 'DELETE', `/auth/passkey/credentials/${passkeys[0]!.id}`);
    await signOut(page);
    await page.getByLabel('Bank').selectOption({ label: bank.name });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invalid_credentials');
    expect(finishes()).toEqual([200, 401]);

    // Refused: a bank that does not accept passkeys.
    await page.reload();
    await page.getByLabel('Bank').selectOption({ label: otherBank.name });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('provider_not_allowed');

    // Refused: the authenticator no longer holds the credential (the browser finds no passkey).
    await cdp.send('WebAuthn.removeCredential', {
      authenticatorId,
      credentialId: credentials[0]!.credentialId,
    });
    await page.reload();
    await page.getByLabel('Bank').selectOption({ label: bank.name });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not allowed');
    expect(await page.getByRole('button', { name: 'Send code' }).isVisible()).toBe(true);
    expect(finishes()).toEqual([200, 401]); // the browser found no passkey: nothing was sent
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  });
});
