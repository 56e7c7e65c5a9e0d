// `private_key_jwt` with a `jwks_uri` (#18): the application publishes its keys at a URL (here a JWKS
// server on loopback, which the development server may call) instead of registering them. Enforcer fetches
// them once and caches them; a key the application rolls over to is picked up on its unknown `kid` (one
// refetch, rate limited); a URL that fails refuses the assertion (`invalid_client`, audited); over HTTP on
// PostgreSQL. The SSRF rules (production) are tested with a stubbed resolver in
// server/src/domains/oauth/jwks-fetch.test.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@enforcer/server/testing';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { type ApiResponse, startServer } from './harness.js';

const clock = new ManualClock(Date.now());
const server = await startServer({ clock });
const { api } = server;
const tokenEndpoint = `${server.config.issuer}/oauth/token`;
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

// The application's JWKS server: what it publishes, and how often it was asked.
let published: { keys: JWK[] } | string = { keys: [] };
let status = 200;
let fetches = 0;
const jwksServer = createServer((_req, res) => {
  fetches++;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(typeof published === 'string' ? published : JSON.stringify(published));
});
await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));
const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;

const key1 = await generateKeyPair('ES256', { extractable: true });
const key2 = await generateKeyPair('ES256', { extractable: true });
const key3 = await generateKeyPair('ES256', { extractable: true });
const publicJwk = async (key: CryptoKey, kid: string): Promise<JWK> => ({
  ...(await exportJWK(key)),
  kid,
  alg: 'ES256',
  use: 'sig',
});

/** A client assertion signed with `key` as `kid`, valid at the server's clock. */
async function assertion(clientId: string, key: CryptoKey, kid: string): Promise<string> {
  const now = Math.floor(clock.now().getTime() / 1000);
  return new SignJWT({ iss: clientId, sub: clientId, aud: tokenEndpoint, jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key);
}

const token = (clientAssertion: string) =>
  api('POST', '/oauth/token', {
    raw: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: assertionType,
      client_assertion: clientAssertion,
    }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });

function expectInvalidClient(response: ApiResponse) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body).toMatchObject({ error: 'invalid_client' });
}

interface App {
  id: string;
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: string;
  jwks: unknown;
  jwks_uri: string | null;
}

let a: SeededTenant;
let app: App;
const lastFailure = async (id: string) =>
  (await server.db.auditEvents({ action: 'application.token.failed', targetId: id })).at(-1)?.details as
    | { reason?: string }
    | undefined;

beforeAll(async () => {
  a = await seedTenant(server, 'Tenant JWKS');
  published = { keys: [await publicJwk(key1.publicKey, 'k1')] };
  app = expectOk<App>(
    await api('POST', '/applications', {
      token: a.owner.token,
      body: { name: 'rolling', scopes: ['accounts.read'], jwks_uri: jwksUri },
    }),
    201,
  );
});

describe('registering an application with a jwks_uri', () => {
  it('is private_key_jwt with no secret and no inline keys; nothing is fetched until an assertion comes', async () => {
    expect(app).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: null,
      jwks_uri: jwksUri,
    });
    expect(app.client_secret).toBeUndefined();
    expect(fetches).toBe(0);
    const row = await server.db.records('applications').one(app.id);
    expect(row).toMatchObject({ secretHash: null, jwks: null, jwksUri });
  });

  it('refuses jwks with jwks_uri, plain http to another host, credentials in the URL, other schemes', async () => {
    const create = (body: Record<string, unknown>) =>
      api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 'x', scopes: ['accounts.read'], ...body },
      });
    expectFieldError(
      expectProblem(
        await create({ jwks_uri: jwksUri, jwks: { keys: [await publicJwk(key1.publicKey, 'k1')] } }),
        400,
        'validation_failed',
      ),
      'body.jwks_uri',
    );
    for (const bad of [
      'http://keys.example.com/jwks.json',
      'https://user:secret@keys.example.com/jwks.json',
      'ftp://keys.example.com/jwks.json',
      'not a url',
    ]) {
      expectFieldError(
        expectProblem(await create({ jwks_uri: bad }), 400, 'validation_failed'),
        'body.jwks_uri',
      );
    }
  });
});

describe('POST /oauth/token with keys from the jwks_uri', () => {
  it('fetches the keys once and serves later assertions from the cache', async () => {
    const first = await token(await assertion(app.client_id, key1.privateKey, 'k1'));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(fetches).toBe(1);
    expect((await token(await assertion(app.client_id, key1.privateKey, 'k1'))).status).toBe(200);
    expect(fetches).toBe(1);
  });

  it('picks up a rotation at the URL on the unknown kid, refetching at most once per cooldown', async () => {
    // The application rolls over to k2 (and drops k1).
    published = { keys: [await publicJwk(key2.publicKey, 'k2')] };
    // Within the cooldown of the last fetch, an unknown kid does not fetch: refused, nothing asked.
    expectInvalidClient(await token(await assertion(app.client_id, key2.privateKey, 'k2')));
    expect((await lastFailure(app.id))?.reason).toBe('assertion_unknown_key');
    expect(fetches).toBe(1);
    clock.advance(31);
    const rolled = await token(await assertion(app.client_id, key2.privateKey, 'k2'));
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect(fetches).toBe(2);
    // The old key is gone with the new document.
    expectInvalidClient(await token(await assertion(app.client_id, key1.privateKey, 'k1')));
    // Kids nobody publishes, sent in a burst: no fetch until the cooldown passes, then one.
    for (let i = 0; i < 5; i++) {
      expectInvalidClient(await token(await assertion(app.client_id, key3.privateKey, `k-unknown-${i}`)));
    }
    expect(fetches).toBe(2);
    clock.advance(31);
    expectInvalidClient(await token(await assertion(app.client_id, key3.privateKey, 'k-unknown-x')));
    expect(fetches).toBe(3);
  });

  it('fetches again after the cache lifetime (300 s), and keeps the keys it has when the URL fails', async () => {
    clock.advance(301);
    expect((await token(await assertion(app.client_id, key2.privateKey, 'k2'))).status).toBe(200);
    expect(fetches).toBe(4);
    clock.advance(301);
    status = 500;
    // The URL fails: the keys fetched before go on serving (stale), rather than locking the application out.
    expect((await token(await assertion(app.client_id, key2.privateKey, 'k2'))).status).toBe(200);
    expect(fetches).toBe(5);
    status = 200;
  });

  it('refuses (invalid_client, audited jwks_uri_unavailable) when the URL never gave usable keys', async () => {
    const broken = expectOk<App>(
      await api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 'broken', scopes: ['accounts.read'], jwks_uri: `${jwksUri}?broken` },
      }),
      201,
    );
    for (const answer of [
      'not json',
      JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'k' }] }),
      JSON.stringify({ keys: [{ ...(await exportJWK(key1.privateKey)), kid: 'k1' }] }),
      JSON.stringify({ keys: [], pad: 'x'.repeat(70 * 1024) }),
    ]) {
      published = answer;
      clock.advance(31);
      expectInvalidClient(await token(await assertion(broken.client_id, key1.privateKey, 'k1')));
      expect((await lastFailure(broken.id))?.reason).toBe('jwks_uri_unavailable');
    }
    published = { keys: [await publicJwk(key1.publicKey, 'k1')] };
  });

  it('switches between inline keys and a jwks_uri with PATCH; a secret application takes neither', async () => {
    const inline = expectOk<App>(
      await api('PATCH', `/applications/${app.id}`, {
        token: a.owner.token,
        body: { jwks: { keys: [await publicJwk(key3.publicKey, 'k3')] } },
      }),
    );
    expect(inline).toMatchObject({
      jwks_uri: null,
      jwks: { keys: [expect.objectContaining({ kid: 'k3' })] },
    });
    const before = fetches;
    expect((await token(await assertion(app.client_id, key3.privateKey, 'k3'))).status).toBe(200);
    expect(fetches).toBe(before);
    const back = expectOk<App>(
      await api('PATCH', `/applications/${app.id}`, { token: a.owner.token, body: { jwks_uri: jwksUri } }),
    );
    expect(back).toMatchObject({ jwks: null, jwks_uri: jwksUri });
    const secretApp = expectOk<App>(
      await api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 's', scopes: ['accounts.read'] },
      }),
      201,
    );
    expectProblem(
      await api('PATCH', `/applications/${secretApp.id}`, {
        token: a.owner.token,
        body: { jwks_uri: jwksUri },
      }),
      409,
      'conflict',
    );
  });
});
