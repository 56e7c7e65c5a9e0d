// Discovery and the API reference over HTTP: JWKS and the OpenID-style configuration (under the base
// path and at the host root), the Swagger UI and the OpenAPI document.
import { importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { seedTenant } from './admin-setup.js';
import { startServer } from './harness.js';

const server = await startServer();

describe('/.well-known', () => {
  for (const prefix of ['/api/v1/enforcer', '']) {
    it(`serves the JWKS and the configuration at ${prefix || 'the host root'}`, async () => {
      const jwksResponse = await fetch(`${server.origin}${prefix}/.well-known/jwks.json`);
      expect(jwksResponse.status).toBe(200);
      const maxAge = server.config.keys.jwksMaxAgeSeconds;
      expect(jwksResponse.headers.get('cache-control')).toBe(`public, max-age=${maxAge}`);
      const jwks = await jwksResponse.json();
      // The active key and the pre-published pending one, public parts only.
      expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
      for (const key of jwks.keys) {
        expect(key).toMatchObject({
          kty: 'EC',
          crv: 'P-256',
          alg: 'ES256',
          use: 'sig',
          kid: expect.any(String),
        });
        expect(key.d).toBeUndefined();
      }

      const configResponse = await fetch(`${server.origin}${prefix}/.well-known/openid-configuration`);
      expect(configResponse.status).toBe(200);
      expect(configResponse.headers.get('cache-control')).toBe(`public, max-age=${maxAge}`);
      const config = await configResponse.json();
      const issuer = server.config.issuer;
      expect(config).toMatchObject({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/auth/login`,
        userinfo_endpoint: `${issuer}/auth/me`,
        authorization_decision_endpoint: `${issuer}/authorize`,
        authorization_filter_endpoint: `${issuer}/authorize/filter`,
        id_token_signing_alg_values_supported: ['ES256'],
      });
      expect(config.claims_supported).toEqual(
        expect.arrayContaining(['sub', 'tenant_id', 'groups', 'grant_version']),
      );
    });
  }

  it('an access token verifies against the published JWKS', async () => {
    const t = await seedTenant(server);
    const jwks = await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json();
    const [, header] = [null, JSON.parse(Buffer.from(t.member.token.split('.')[0]!, 'base64url').toString())];
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === header.kid);
    const { payload } = await jwtVerify(t.member.token, await importJWK(jwk, 'ES256'), {
      issuer: server.config.issuer,
    });
    expect(payload.sub).toBe(t.member.accountId);
  });

  it('refuses other methods with 405', async () => {
    const response = await fetch(`${server.baseUrl}/.well-known/jwks.json`, { method: 'POST' });
    expect(response.status).toBe(405);
  });
});

describe('/swagger', () => {
  it('serves the browsable UI and the OpenAPI document generated from the contract', async () => {
    const ui = await fetch(`${server.origin}/swagger`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(await ui.text()).toContain('swagger-ui');
    // Its own strict policy (scripts and styles from itself), not the API's `default-src 'none'`.
    const csp = ui.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("default-src 'none'");
    const asset = await fetch(`${server.origin}/swagger/static/swagger-initializer.js`);
    expect(asset.status).toBe(200);

    const doc = await fetch(`${server.origin}/swagger/doc.json`);
    expect(doc.status).toBe(200);
    const openapi = await doc.json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(openapi.servers).toEqual([{ url: new URL(server.config.issuer).origin }]);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/enforcer/groups',
        '/api/v1/enforcer/policy',
        '/api/v1/enforcer/api-keys',
      ]),
    );
    const json = await (await fetch(`${server.origin}/swagger/json`)).json();
    expect(json.paths).toEqual(openapi.paths);
  });
});
