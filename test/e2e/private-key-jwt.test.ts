// `private_key_jwt` client authentication (#18; RFC 7523 §2.2 and §3, OIDC Core §9) over HTTP on
// PostgreSQL: an application registered with public keys (and no secret) obtains tokens with a signed client
// assertion; a wrong key, an expired or too long-lived assertion, a replayed jti, a wrong audience or issuer,
// `alg: none` and HS256 are all `401 invalid_client`, each audited with its reason.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { type ApiResponse, startServer } from './harness.js';

const server = await startServer();
const { api } = server;
const issuer = server.config.issuer;
const tokenEndpoint = `${issuer}/oauth/token`;
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
let a: SeededTenant;

const form = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  api('POST', path, {
    raw: new URLSearchParams(params).toString(),
    contentType: 'application/x-www-form-urlencoded',
    headers,
  });

function expectInvalidClient(response: ApiResponse) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body).toMatchObject({ error: 'invalid_client', error_description: expect.any(String) });
  expect(response.headers.get('cache-control')).toBe('no-store');
}

interface KeyedApp {
  id: string;
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: string;
  secret_prefix: string | null;
  jwks: { keys: JWK[] } | null;
}

const es256 = await generateKeyPair('ES256', { extractable: true });
const rs256 = await generateKeyPair('RS256', { extractable: true });
const stranger = await generateKeyPair('ES256', { extractable: true });
const publicJwk = async (key: CryptoKey, kid: string): Promise<JWK> => ({
  ...(await exportJWK(key)),
  kid,
  use: 'sig',
});

type Claims = { iss?: string; sub?: string; aud?: string | string[]; jti?: string; exp?: number };

/** A client assertion for `clientId`, valid unless `claims` or `options` say otherwise. */
async function assertion(
  clientId: string,
  claims: Claims = {},
  options: { key?: CryptoKey; alg?: string; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: clientId,
    sub: clientId,
    aud: tokenEndpoint,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? 'k-es' })
    .sign(options.key ?? es256.privateKey);
}

const tokenWith = (clientAssertion: string, extra: Record<string, string> = {}) =>
  form('/oauth/token', {
    grant_type: 'client_credentials',
    client_assertion_type: assertionType,
    client_assertion: clientAssertion,
    ...extra,
  });

const lastFailure = async (app: KeyedApp) => {
  const events = await server.db.auditEvents({ action: 'application.token.failed', targetId: app.id });
  return events.at(-1)?.details as { reason?: string } | undefined;
};

let app: KeyedApp;

beforeAll(async () => {
  a = await seedTenant(server, 'Tenant A');
  app = expectOk<KeyedApp>(
    await api('POST', '/applications', {
      token: a.owner.token,
      body: {
        name: 'signer',
        scopes: ['accounts.read'],
        jwks: { keys: [await publicJwk(es256.publicKey, 'k-es'), await publicJwk(rs256.publicKey, 'k-rs')] },
      },
    }),
    201,
  );
});

describe('registering an application with keys', () => {
  it('has no secret: the answer holds the public keys and the method, never a client_secret', async () => {
    expect(app.token_endpoint_auth_method).toBe('private_key_jwt');
    expect(app.client_secret).toBeUndefined();
    expect(app.secret_prefix).toBeNull();
    expect(app.jwks!.keys.map((k) => k.kid)).toEqual(['k-es', 'k-rs']);
    const row = await server.db.records('applications').one(app.id);
    expect(row.secretHash).toBeNull();
    const listed = expectOk<KeyedApp>(await api('GET', `/applications/${app.id}`, { token: a.owner.token }));
    expect(listed.token_endpoint_auth_method).toBe('private_key_jwt');
  });

  it('refuses private or symmetric keys, weak RSA keys, keys that do not import, and several keys without kid', async () => {
    const create = (keys: unknown[]) =>
      api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 'bad', scopes: ['accounts.read'], jwks: { keys } },
      });
    const priv = await exportJWK(es256.privateKey);
    expectProblem(await create([priv]), 400, 'validation_failed');
    expectProblem(await create([{ kty: 'oct', k: 'c2VjcmV0' }]), 400, 'validation_failed');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expectFieldError(expectProblem(await create([weak]), 400, 'validation_failed'), 'body.jwks.keys.0');
    expectFieldError(
      expectProblem(
        await create([{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }]),
        400,
        'validation_failed',
      ),
      'body.jwks.keys.0',
    );
    const one = await exportJWK(es256.publicKey);
    expectFieldError(
      expectProblem(await create([one, await exportJWK(rs256.publicKey)]), 400, 'validation_failed'),
      'body.jwks.keys.0.kid',
    );
  });

  it('a keyed application has no secret to rotate (409); a secret application has no keys to replace (409)', async () => {
    expectProblem(
      await api('POST', `/applications/${app.id}/rotate-secret`, { token: a.owner.token }),
      409,
      'conflict',
    );
    const secretApp = expectOk<KeyedApp>(
      await api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 's', scopes: ['accounts.read'] },
      }),
      201,
    );
    expect(secretApp.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(secretApp.jwks).toBeNull();
    expectProblem(
      await api('PATCH', `/applications/${secretApp.id}`, {
        token: a.owner.token,
        body: { jwks: { keys: [await publicJwk(es256.publicKey, 'k')] } },
      }),
      409,
      'conflict',
    );
    // Nor does a keyed application accept a secret-shaped credential, nor a secret one an assertion.
    const response = await form('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: app.client_id,
      client_secret: secretApp.client_secret!,
    });
    expectInvalidClient(response);
    expect((await lastFailure(app))?.reason).toBe('secret_of_keyed_application');
    expectInvalidClient(await tokenWith(await assertion(secretApp.client_id)));
    expect((await lastFailure(secretApp))?.reason).toBe('assertion_of_secret_application');
  });
});

describe('POST /oauth/token with a client assertion', () => {
  it('issues a client token for an ES256 assertion, and for an RS256 one with the other key', async () => {
    const response = await tokenWith(await assertion(app.client_id), { scope: 'accounts.read' });
    const body = expectOk<{ access_token: string; scope: string }>(response);
    expect(body.scope).toBe('accounts.read');
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: app.client_id, kind: 'client' });
    const [issued] = await server.db.auditEvents({ action: 'application.token.issued', targetId: app.id });
    expect(issued!.details).toMatchObject({ auth_method: 'private_key_jwt' });

    const rs = await assertion(
      app.client_id,
      { aud: issuer },
      { key: rs256.privateKey, alg: 'RS256', kid: 'k-rs' },
    );
    expectOk(await tokenWith(rs, { client_id: app.client_id }));
  });

  it('refuses an assertion signed by a key the application did not register', async () => {
    expectInvalidClient(await tokenWith(await assertion(app.client_id, {}, { key: stranger.privateKey })));
    expect((await lastFailure(app))?.reason).toBe('assertion_signature');
    const unknownKid = await assertion(app.client_id, {}, { key: stranger.privateKey, kid: 'k-other' });
    expectInvalidClient(await tokenWith(unknownKid));
    expect((await lastFailure(app))?.reason).toBe('assertion_unknown_key');
  });

  it('refuses an expired assertion, and one whose exp is far ahead', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    expectInvalidClient(await tokenWith(await assertion(app.client_id, { exp: past })));
    expect((await lastFailure(app))?.reason).toBe('assertion_expired');
    const far = Math.floor(Date.now() / 1000) + 3600;
    expectInvalidClient(await tokenWith(await assertion(app.client_id, { exp: far })));
    expect((await lastFailure(app))?.reason).toBe('assertion_lifetime');
  });

  it('refuses a replayed jti (the same assertion twice), while a fresh jti works', async () => {
    const once = await assertion(app.client_id);
    expectOk(await tokenWith(once));
    expectInvalidClient(await tokenWith(once));
    expect((await lastFailure(app))?.reason).toBe('assertion_replayed');
    const jti = randomUUID();
    expectOk(await tokenWith(await assertion(app.client_id, { jti })));
    // The same jti in a new assertion is a replay too.
    expectInvalidClient(await tokenWith(await assertion(app.client_id, { jti })));
  });

  it('refuses a wrong audience, a wrong subject, a missing jti, and a client_id that is not the issuer', async () => {
    expectInvalidClient(
      await tokenWith(await assertion(app.client_id, { aud: 'https://elsewhere.example/token' })),
    );
    expect((await lastFailure(app))?.reason).toBe('assertion_claim_aud');
    expectInvalidClient(await tokenWith(await assertion(app.client_id, { sub: 'enfapp_someone_else' })));
    expect((await lastFailure(app))?.reason).toBe('assertion_claim_sub');
    expectInvalidClient(await tokenWith(await assertion(app.client_id, { jti: undefined })));
    const secretApp = expectOk<KeyedApp>(
      await api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 'x', scopes: ['accounts.read'] },
      }),
      201,
    );
    expectInvalidClient(await tokenWith(await assertion(app.client_id), { client_id: secretApp.client_id }));
  });

  it('refuses alg none and HS256 (even keyed with the public key), whatever the header says', async () => {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      iss: app.client_id,
      sub: app.client_id,
      aud: tokenEndpoint,
      jti: randomUUID(),
      exp: now + 60,
    };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expectInvalidClient(await tokenWith(none));
    expect((await lastFailure(app))?.reason).toBe('assertion_algorithm');
    const jwk = await exportJWK(es256.publicKey);
    const hs = await new SignJWT({ ...claims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: 'k-es' })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expectInvalidClient(await tokenWith(hs));
    expect((await lastFailure(app))?.reason).toBe('assertion_algorithm');
  });

  it('refuses a malformed request: an unknown assertion type, an assertion without its type, two methods', async () => {
    const ok = await assertion(app.client_id);
    expectInvalidClient(
      await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:example:saml',
        client_assertion: ok,
      }),
    );
    const missing = await form('/oauth/token', { grant_type: 'client_credentials', client_assertion: ok });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    const twice = await form(
      '/oauth/token',
      { grant_type: 'client_credentials', client_assertion_type: assertionType, client_assertion: ok },
      { authorization: `Basic ${Buffer.from(`${app.client_id}:enfsec_x`).toString('base64')}` },
    );
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({ error: 'invalid_request' });
  });

  it('authenticates introspection and revocation too; new keys replace the old at once', async () => {
    const issued = expectOk<{ access_token: string }>(await tokenWith(await assertion(app.client_id)));
    const introspected = expectOk<{ active: boolean; client_id: string }>(
      await form('/oauth/introspect', {
        token: issued.access_token,
        client_assertion_type: assertionType,
        client_assertion: await assertion(app.client_id, { aud: issuer }),
      }),
    );
    expect(introspected).toMatchObject({ active: true, client_id: app.client_id });

    const rolled = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const updated = expectOk<KeyedApp>(
      await api('PATCH', `/applications/${app.id}`, {
        token: a.owner.token,
        body: { jwks: { keys: [await publicJwk(rolled.publicKey, 'k-ed')] } },
      }),
    );
    expect(updated.jwks!.keys.map((k) => k.kid)).toEqual(['k-ed']);
    expectInvalidClient(await tokenWith(await assertion(app.client_id)));
    const ed = await assertion(app.client_id, {}, { key: rolled.privateKey, alg: 'EdDSA', kid: 'k-ed' });
    expectOk(await tokenWith(ed));
  });
});
