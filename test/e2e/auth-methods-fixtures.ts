// Shared steps of the sign-in method suites (auth-google, auth-siwe, auth-privy, auth-phone,
// auth-passkey, auth-linking): tenants with method settings, MSW standing in for third parties,
// Google and Privy token minting, SIWE messages signed by a local viem account.
import { randomBytes } from 'node:crypto';
import type { AuthSettings } from '@enforcer/contract';
import type { SeededTenantRecord, TestData } from '@enforcer/server/testing';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { HttpResponse, http, passthrough, type RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { type Hex, toHex } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { afterAll, expect } from 'vitest';
import { seedTenant } from './auth-fixtures.js';
import type { Api, TestServer } from './harness.js';

/** A tenant accepting `providers`, with these method settings stored. */
export async function methodTenant(
  db: TestData,
  input: { providers: string[]; settings?: AuthSettings; allowSignup?: boolean; name?: string },
): Promise<SeededTenantRecord> {
  const tenant = await seedTenant(db, {
    authProviders: input.providers,
    allowSignup: input.allowSignup ?? true,
    ...(input.name ? { name: input.name } : {}),
  });
  if (input.settings) await setAuthSettings(db, tenant.id, input.settings);
  return tenant;
}

export async function setAuthSettings(db: TestData, tenantId: string, settings: AuthSettings): Promise<void> {
  await db.updateTenant(tenantId, { authSettings: settings as Record<string, unknown> });
}

/**
 * MSW in front of the network of this test process (the server runs in it too): the handlers stand in
 * for third parties; our own server's loopback URL is let through; anything else is an error.
 */
export function startMsw(server: TestServer, ...handlers: RequestHandler[]) {
  const msw = setupServer(letThrough(server), ...handlers);
  msw.listen({ onUnhandledFrame: 'error' });
  afterAll(() => msw.close());
  return msw;
}

/** Lets requests to one of our test servers through MSW (`msw.use(letThrough(other))` for a second one). */
export const letThrough = (server: TestServer) => http.all(`${server.origin}/*`, () => passthrough());

/** The latest audit event with this action (and, optionally, matching details). */
export async function lastAudit(db: TestData, action: string) {
  const [event] = await db.auditEvents({ action }, { orderBy: { createdAt: 'desc' }, limit: 1 });
  return event;
}

/** Asserts the latest `auth.login.failed` (or another action) carries this reason. */
export async function expectAuditReason(db: TestData, reason: string, action = 'auth.login.failed') {
  // The tenant's chain order breaks ties: these files' test clocks stand still, so times are all equal.
  const events = await db.auditEvents({ action }, { orderBy: { createdAt: 'desc', seq: 'desc' }, limit: 5 });
  expect(events.map((event) => (event.details as { reason?: string }).reason)).toContain(reason);
}

// ---------------------------------------------------------------------------------------------
// Google

export const GOOGLE_JWKS_URL = 'https://google.test/oauth2/v3/certs';
export const GOOGLE_CLIENT_ID = '1234567890-abc.apps.googleusercontent.com';

/** A stand-in for Google: an RS256 key set served by MSW, and ID tokens signed with it. */
export async function fakeGoogle() {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const kid = `k-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'RS256', use: 'sig' };
  let jwksStatus = 200;
  const handler = http.get(GOOGLE_JWKS_URL, () =>
    jwksStatus === 200
      ? HttpResponse.json({ keys: [jwk] })
      : new HttpResponse('down', { status: jwksStatus }),
  );
  const idToken = async (
    claims: JWTPayload & { nonce?: string; email?: string; email_verified?: boolean },
    options: { key?: 'signing' | 'other'; kid?: string; now?: Date; ttl?: number } = {},
  ) => {
    const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
    return new SignJWT({
      iss: 'https://accounts.google.com',
      aud: GOOGLE_CLIENT_ID,
      iat: now,
      exp: now + (options.ttl ?? 3600),
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? kid, typ: 'JWT' })
      .sign(options.key === 'other' ? other.privateKey : signing.privateKey);
  };
  return {
    handler,
    idToken,
    setJwksStatus: (status: number) => {
      jwksStatus = status;
    },
  };
}

export const nonce = () => randomBytes(24).toString('base64url');
export const googleSub = () =>
  String(100_000_000_000_000_000_000n + BigInt(`0x${randomBytes(8).toString('hex')}`));

// ---------------------------------------------------------------------------------------------
// Privy

export const PRIVY_APP_ID = 'clprivyapp0001';

/** A Privy app: an ES256 key pair (the verification key in PEM/SPKI) and access tokens signed with it. */
export async function fakePrivy(appId = PRIVY_APP_ID) {
  const keys = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256', { extractable: true });
  const verificationKey = await exportSPKI(keys.publicKey);
  const token = async (
    claims: JWTPayload & { sid?: string } = {},
    options: { key?: 'signing' | 'other'; now?: Date; ttl?: number } = {},
  ) => {
    const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
    return new SignJWT({
      iss: 'privy.io',
      aud: appId,
      sid: `sess-${randomBytes(6).toString('hex')}`,
      iat: now,
      exp: now + (options.ttl ?? 3600),
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .sign(options.key === 'other' ? other.privateKey : keys.privateKey);
  };
  return { appId, verificationKey, settings: { app_id: appId, verification_key: verificationKey }, token };
}

export const privyDid = () => `did:privy:cl${randomBytes(10).toString('hex')}`;

// ---------------------------------------------------------------------------------------------
// Sign-In with Ethereum

export const SIWE_SETTINGS = {
  domain: 'app.example.com',
  uri: 'https://app.example.com',
  chain_ids: [1, 8453],
};

export const newWallet = (): PrivateKeyAccount => privateKeyToAccount(generatePrivateKey());

/** Asks for a nonce and signs a message with it (fields overridable), as a dapp would. */
export async function siweProof(
  api: Api,
  tenantCode: string,
  wallet: PrivateKeyAccount,
  overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {},
  now = new Date(),
): Promise<{ message: string; signature: Hex; nonce: string }> {
  const issued = await api('POST', '/auth/siwe/nonce', { body: { tenant_code: tenantCode } });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  const message = createSiweMessage({
    domain: SIWE_SETTINGS.domain,
    address: wallet.address,
    statement: 'Sign in to Acme Pay',
    uri: `${SIWE_SETTINGS.uri}/login`,
    version: '1',
    chainId: 1,
    nonce: issued.body.nonce,
    issuedAt: now,
    ...overrides,
  });
  return { message, signature: await wallet.signMessage({ message }), nonce: issued.body.nonce };
}

/** The `{ message, signature }` a link or login body carries. */
export const siweBody = (proof: { message: string; signature: string }) => ({
  message: proof.message,
  signature: proof.signature,
});

export const randomSignature = (): Hex => toHex(randomBytes(65));
