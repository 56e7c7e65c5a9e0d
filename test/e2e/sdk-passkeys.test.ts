// The SDK's passkey flows (@enforcer/sdk-js, its lazily loaded chunk with @simplewebauthn/browser)
// against the real server. Node has no WebAuthn, so navigator.credentials is bridged to the software
// authenticator: @simplewebauthn/browser runs its real code on both sides of that bridge.
import { createEnforcer } from '@enforcer/sdk-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCode, uniqueEmail } from './auth-fixtures.js';
import { methodTenant } from './auth-methods-fixtures.js';
import { startServer } from './harness.js';
import { SoftAuthenticator } from './soft-authenticator.js';

const ORIGIN = 'https://app.example.com';
const server = await startServer();
const tenant = await methodTenant(server.db, {
  providers: ['email_otp', 'passkey'],
  settings: { passkey: { rp_id: 'example.com', origins: [ORIGIN] } },
});
const authenticator = new SoftAuthenticator({ origin: ORIGIN });

const buffer = (base64url: string) => new Uint8Array(Buffer.from(base64url, 'base64url')).buffer;
const text = (bytes: BufferSource) =>
  Buffer.from(bytes instanceof ArrayBuffer ? bytes : (bytes as Uint8Array).buffer).toString('base64url');

/** A PublicKeyCredential as the browser would return it, from the soft authenticator's JSON. */
function asCredential(json: {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment: string;
  response: Record<string, unknown>;
}) {
  const response = Object.fromEntries(
    Object.entries(json.response).map(([key, value]) => [
      key,
      typeof value === 'string' ? buffer(value) : value,
    ]),
  );
  return {
    id: json.id,
    rawId: buffer(json.rawId),
    type: json.type,
    authenticatorAttachment: json.authenticatorAttachment,
    response: { ...response, getTransports: () => ['internal', 'hybrid'] },
    getClientExtensionResults: () => ({}),
  };
}

let saved: PropertyDescriptor | undefined;
beforeAll(() => {
  // biome-ignore lint/suspicious/noExplicitAny: the parts of WebAuthn's globals @simplewebauthn/browser checks
  const g = globalThis as any;
  g.PublicKeyCredential ??= function PublicKeyCredential() {};
  saved = Object.getOwnPropertyDescriptor(globalThis.navigator, 'credentials');
  Object.defineProperty(globalThis.navigator, 'credentials', {
    configurable: true,
    value: {
      // biome-ignore lint/suspicious/noExplicitAny: options as the browser receives them (buffers)
      create: async ({ publicKey }: any) =>
        asCredential(
          authenticator.create({
            ...publicKey,
            challenge: text(publicKey.challenge),
            user: { ...publicKey.user, id: text(publicKey.user.id) },
          }).response,
        ),
      // biome-ignore lint/suspicious/noExplicitAny: options as the browser receives them (buffers)
      get: async ({ publicKey }: any) =>
        asCredential(
          authenticator.get({
            ...publicKey,
            challenge: text(publicKey.challenge),
            allowCredentials: (publicKey.allowCredentials ?? []).map((c: { id: BufferSource }) => ({
              id: text(c.id),
            })),
          }),
        ),
    },
  });
});
afterAll(() => {
  if (saved) Object.defineProperty(globalThis.navigator, 'credentials', saved);
  else delete (globalThis.navigator as unknown as Record<string, unknown>).credentials;
});

const newSdk = () =>
  createEnforcer({
    baseUrl: server.origin,
    tenantCode: tenant.code,
    autoRefresh: false,
    permissions: false,
    locks: null,
    broadcast: null,
  });

describe('@enforcer/sdk-js passkeys', () => {
  it('registers a passkey for the signed-in person, signs in with it (discoverable and by email), lists and removes it', async () => {
    const email = uniqueEmail('sdk');
    const sdk = newSdk();
    const otp = await requestCode(server.api, email, tenant.code);
    const signedIn = await sdk.loginWithOtp({ email, otp });
    const passkeys = await sdk.passkeys();
    expect(passkeys.isSupported()).toBe(true);
    const created = await passkeys.register({ name: 'Test key' });
    expect(created).toMatchObject({ name: 'Test key', rp_id: 'example.com' });
    expect(await passkeys.list()).toEqual([created]);

    const other = newSdk();
    const viaPasskey = await (await other.passkeys()).signIn();
    expect(viaPasskey.person.id).toBe(signedIn.person.id);
    const byEmail = await (await newSdk().passkeys()).signIn({ email });
    expect(byEmail.account.id).toBe(signedIn.account.id);

    await passkeys.remove(created.id);
    expect(await passkeys.list()).toEqual([]);
    await expect((await newSdk().passkeys()).signIn()).rejects.toMatchObject({
      code: 'invalid_credentials',
      status: 401,
    });
    for (const enforcer of [sdk, other]) enforcer.destroy();
  });
});
