import { readFileSync } from 'node:fs';
import type { ClientInferRequest, ServerInferResponseBody } from '@ts-rest/core';
import { isAppRouteNoBody, isAppRouteOtherResponse, isZodType } from '@ts-rest/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  authorizeBodySchema,
  basePath,
  contract,
  createApiKeyBodySchema,
  createGroupBodySchema,
  type DecisionReason,
  errorCodes,
  errorStatus,
  generateOpenApiDocument,
  getRouteMetadata,
  type LoginBody,
  listAccountsQuerySchema,
  listRoutes,
  loginBodySchema,
  logoutBodySchema,
  otpRequestBodySchema,
  type PolicySubject,
  type Problem,
  paginationQuerySchema,
  problemContentType,
  requestedProviders,
  resolveTenantQuerySchema,
  rootContract,
  selfServeTenantBodySchema,
  setAuthProvidersBodySchema,
  type TokenResponse,
  updateTenantBodySchema,
} from './index';
import type { Reason, Subject } from './policy';

const routes = listRoutes(contract);
const uuid = '0b5a3b0e-4f8e-4c4b-9d57-3a1e6f2b8c10';
const ok = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
const docsPath = (name: string) => new URL(`../../docs/${name}`, import.meta.url);

describe('route table', () => {
  it('has every endpoint of the step-2 server, the revocation feed and the step-6 sign-in methods', () => {
    // 40 + passwords, MFA, magic links and unlock (14) + passkeys, SIWE, identities (13)
    // + sessions (issue #14: 3 of the caller's own, 3 of an account's)
    // + account lifecycle (issue #14: lock, ban, unban, delete, restore, mfa reset)
    // + roles, groups and invites (issue #14: POST/PATCH/DELETE /roles, PATCH/DELETE /groups/{id} and
    //   its members, GET/DELETE /tenants/{id}/invites/... and resend)
    // + PATCH /auth/me (issue #14: the person's profile)
    // + PATCH /accounts/{id} and PATCH /auth/me/metadata (issue #14: account metadata)
    // + POST /auth/mfa/enroll and /auth/mfa/enroll/confirm (issue #18: enrolment that require_mfa demands)
    // + privacy (issue #15: export, deletion x3, deletion requests x2, privacy settings x2)
    // + applications x6 and /oauth/token, /oauth/introspect, /oauth/revoke (issue #18: machine clients)
    // + social sign-in (issue #17: GET/PUT /tenants/{id}/oauth, authorize GET and POST, callback, exchange)
    // + webhooks (issue #16: endpoints x5, rotate-secret, test, deliveries, replay)
    // + KYC (issue #16: GET/PUT /tenants/{id}/modules/kyc, sessions, status, webhooks, the development page x2)
    // + platform (issue #15: GET /platform/tenants, GET/PATCH/DELETE /platform/tenants/{id}, usage)
    // + social sign-in form_post callback (issue #17: POST /auth/oauth/{provider}/callback for Apple)
    // + messaging (issue #16: GET/PUT settings, GET/PUT/DELETE templates, preview)
    expect(routes.length).toBe(156);
  });

  it('puts every route under the base path, once per method and path', () => {
    const seen = new Set<string>();
    for (const { name, route } of routes) {
      expect(route.path.startsWith(`${basePath}/`), name).toBe(true);
      const key = `${route.method} ${route.path}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('declares metadata (auth, tag) and a summary on every route', () => {
    for (const { name, route } of routes) {
      const meta = getRouteMetadata(route);
      expect(['none', 'user', 'api_key', 'user_or_api_key', 'platform'], name).toContain(meta.auth);
      expect(route.summary, name).toBeTruthy();
      if (meta.optionalUser) expect(meta.auth, name).toBe('none');
      if (meta.permission) expect(meta.permission, name).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/);
    }
  });

  it('lets credential-free routes be public and the rest answer 401', () => {
    const publicRoutes = routes
      .filter(({ route }) => getRouteMetadata(route).auth === 'none')
      .map((r) => r.name);
    expect(publicRoutes.sort()).toEqual(
      [
        'auth.login',
        'auth.logout',
        'auth.refresh',
        'auth.register',
        'auth.requestOtp',
        'discovery.jwks',
        'discovery.openIdConfiguration',
        'health.live',
        'health.ready',
        'tenants.resolve',
        'tenants.selfServe',
        'auth.passkeyLoginBegin',
        'auth.passkeyLoginFinish',
        'auth.siweNonce',
        'magicLink.request',
        'mfa.verify',
        'mfa.enrollAtSignIn',
        'mfa.confirmEnrollmentAtSignIn',
        'password.confirmReset',
        'password.requestReset',
        // OAuth token services authenticate their client themselves (HTTP Basic, form parameters, API key).
        'oauth.token',
        'oauth.introspect',
        'oauth.revoke',
        'oauthSignIn.authorize',
        'oauthSignIn.authorizeUrl',
        'oauthSignIn.callback',
        'oauthSignIn.callbackForm',
        'oauthSignIn.exchange',
        'kyc.webhook',
        'kyc.devPage',
        'kyc.devDecision',
      ].sort(),
    );
    for (const { name, route } of routes) {
      if (getRouteMetadata(route).auth !== 'none')
        expect(Object.keys(route.responses), name).toContain('401');
    }
  });

  it('declares the common errors once, as problem+json, on every route', () => {
    for (const { name, route } of routes) {
      // The one exception (docs/errors.md): OAuth endpoints answer a bad request in OAuth's format (RFC 6749 §5.2).
      const oauth = name.startsWith('oauth.');
      for (const status of oauth
        ? ['413', '415', '429', '500', '503']
        : ['400', '413', '415', '429', '500', '503']) {
        const response = (route.responses as Record<string, unknown>)[status];
        expect(response, `${name} ${status}`).toBeDefined();
        expect(
          isAppRouteOtherResponse(response as never) && (response as { contentType: string }).contentType,
        ).toBe(problemContentType);
      }
      // A redirect (the OAuth flow's 302) is a route's success too.
      const success = Object.keys(route.responses).filter((s) => Number(s) < 400);
      expect(success.length, name).toBeGreaterThan(0);
    }
  });

  it('validates every path parameter as a uuid (a role `:name` or `:role` as a lower_snake_case identifier, an OAuth or KYC `:provider` by name, a message `:kind` and `:locale` by name)', () => {
    for (const { name, route } of routes) {
      const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      if (params.length === 0) continue;
      expect(isZodType(route.pathParams), name).toBe(true);
      const schema = route.pathParams as z.ZodType;
      const good = Object.fromEntries(
        params.map((p) => [
          p,
          p === 'name' || p === 'role'
            ? 'support_agent'
            : p === 'provider'
              ? 'persona'
              : p === 'kind'
                ? 'otp_code'
                : p === 'locale'
                  ? 'de'
                  : uuid,
        ]),
      );
      expect(ok(schema, good), name).toBe(true);
      for (const p of params) expect(ok(schema, { ...good, [p]: 'not-a-uuid' }), `${name} ${p}`).toBe(false);
    }
  });

  it('gives every body-less mutation an explicit no-body marker', () => {
    for (const { name, route } of routes) {
      if (route.method === 'DELETE')
        expect(isAppRouteNoBody('body' in route ? route.body : null), name).toBe(true);
    }
  });

  it('mounts discovery and health at the root as well, with the same handlers', () => {
    expect(rootContract.discovery.jwks.path).toBe('/.well-known/jwks.json');
    expect(contract.discovery.jwks.path).toBe(`${basePath}/.well-known/jwks.json`);
    expect(rootContract.health.live.path).toBe('/healthz');
    expect(Object.keys(rootContract.discovery)).toEqual(Object.keys(contract.discovery));
  });
});

describe('request bodies', () => {
  const login = {
    provider: 'email_otp',
    email: 'User@Acme.com',
    otp: '123456',
    tenant_code: '2opx-byie-gduh',
  };

  it('accepts the seed quickstart login and normalises email and tenant code', () => {
    const parsed = loginBodySchema.parse(login);
    expect(parsed).toEqual({ ...login, email: 'user@acme.com', tenant_code: '2OPX-BYIE-GDUH' });
  });

  it('rejects an unknown or missing login provider', () => {
    expect(ok(loginBodySchema, { ...login, provider: 'google' })).toBe(false);
    expect(ok(loginBodySchema, { ...login, provider: 'EMAIL_OTP' })).toBe(false);
    const { provider: _, ...withoutProvider } = login;
    expect(ok(loginBodySchema, withoutProvider)).toBe(false);
  });

  it('rejects unknown fields (typos) in bodies', () => {
    expect(ok(loginBodySchema, { ...login, tenantCode: 'X' })).toBe(false);
    expect(
      ok(selfServeTenantBodySchema, { name: 'Acme Pay', admin_email: 'you@acme.com', admin: true }),
    ).toBe(false);
    expect(ok(createGroupBodySchema, { name: 'verified', descripton: 'typo' })).toBe(false);
    expect(ok(otpRequestBodySchema, { email: 'a@b.co', phone: '+15551234567' })).toBe(false);
    expect(ok(authorizeBodySchema, { action: 'accounts.read', subject: {} })).toBe(false);
    expect(ok(logoutBodySchema, { all: true })).toBe(false);
  });

  it('accepts the seed bodies as they are', () => {
    expect(ok(selfServeTenantBodySchema, { name: 'Acme Pay', admin_email: 'you@acme.com' })).toBe(true);
    expect(ok(otpRequestBodySchema, { email: 'you@example.com', tenant_code: '2OPX-BYIE-GDUH' })).toBe(true);
    expect(ok(createApiKeyBodySchema, { name: 'server-key' })).toBe(true);
    expect(
      ok(updateTenantBodySchema, {
        name: 'Acme Pay',
        logo_url: 'https://acme.com/logo.png',
        theme: { primary: '#6ce992' },
      }),
    ).toBe(true);
  });

  it('rejects oversized input', () => {
    expect(ok(selfServeTenantBodySchema, { name: 'x'.repeat(101), admin_email: 'you@acme.com' })).toBe(false);
    expect(ok(selfServeTenantBodySchema, { name: 'Acme', admin_email: `${'a'.repeat(250)}@acme.com` })).toBe(
      false,
    );
    const bigTheme = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, '#fff']));
    expect(ok(updateTenantBodySchema, { theme: bigTheme })).toBe(false);
    expect(ok(updateTenantBodySchema, { theme: { primary: 'a'.repeat(257) } })).toBe(false);
    expect(ok(updateTenantBodySchema, { logo_url: `https://acme.com/${'a'.repeat(2048)}` })).toBe(false);
    expect(ok(createGroupBodySchema, { name: 'g', permissions: Array(501).fill('accounts.read') })).toBe(
      false,
    );
    expect(ok(createGroupBodySchema, { name: 'g'.repeat(64) })).toBe(false);
    const attributes = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, 1]));
    expect(ok(authorizeBodySchema, { action: 'x.read', resource: { type: 'x', attributes } })).toBe(false);
    expect(ok(authorizeBodySchema, { action: `a.${'b'.repeat(200)}` })).toBe(false);
    expect(ok(logoutBodySchema, { refresh_token: 'r'.repeat(513) })).toBe(false);
    expect(ok(loginBodySchema, { ...login, otp: '1234567' })).toBe(false);
  });

  it('keeps CSS injection and unsafe URLs out of the theme and logo', () => {
    expect(ok(updateTenantBodySchema, { theme: { primary: 'red; background: url(https://x)' } })).toBe(false);
    expect(ok(updateTenantBodySchema, { theme: { bg: 'url(https://evil.example/x.png)' } })).toBe(false);
    expect(ok(updateTenantBodySchema, { theme: { primary: 'rgb(10, 20, 30)', radius: '8px' } })).toBe(true);
    expect(ok(updateTenantBodySchema, { logo_url: 'http://acme.com/logo.png' })).toBe(false);
    expect(ok(updateTenantBodySchema, { logo_url: 'javascript:alert(1)' })).toBe(false);
    expect(ok(updateTenantBodySchema, { logo_url: null })).toBe(true);
    expect(ok(updateTenantBodySchema, {})).toBe(false);
  });

  it('takes the auth-provider call in the seed form and the list form', () => {
    const single = setAuthProvidersBodySchema.parse({ provider: 'email_otp' });
    expect(requestedProviders(single)).toEqual(['email_otp']);
    const list = setAuthProvidersBodySchema.parse({
      providers: ['email_otp', 'passkey'],
      allow_signup: true,
    });
    expect(requestedProviders(list)).toEqual(['email_otp', 'passkey']);
    expect(ok(setAuthProvidersBodySchema, { providers: ['email_otp', 'email_otp'] })).toBe(false);
    expect(ok(setAuthProvidersBodySchema, { providers: [] })).toBe(false);
    expect(ok(setAuthProvidersBodySchema, { provider: 'facebook' })).toBe(false);
    expect(ok(setAuthProvidersBodySchema, { provider: 'email_otp', providers: ['email_otp'] })).toBe(false);
  });
});

describe('query parameters', () => {
  it('paginates with limit 1..100 (default 50) and an opaque cursor', () => {
    expect(paginationQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(paginationQuerySchema.parse({ limit: '10', cursor: 'abc' })).toEqual({ limit: 10, cursor: 'abc' });
    for (const limit of ['0', '101', '1.5', 'ten'])
      expect(ok(paginationQuerySchema, { limit }), limit).toBe(false);
    expect(ok(paginationQuerySchema, { cursor: 'c'.repeat(513) })).toBe(false);
  });

  it('filters accounts by active with true/false only', () => {
    expect(listAccountsQuerySchema.parse({ active: 'false' }).active).toBe(false);
    expect(ok(listAccountsQuerySchema, { active: 'yes' })).toBe(false);
    expect(ok(listAccountsQuerySchema, { role: 'Admin!' })).toBe(false);
  });

  it('resolves tenant codes in any case', () => {
    expect(resolveTenantQuerySchema.parse({ code: ' 2opx-byie-gduh ' }).code).toBe('2OPX-BYIE-GDUH');
    expect(ok(resolveTenantQuerySchema, { code: '2OPX-BYIE' })).toBe(false);
  });
});

describe('types', () => {
  it("answers /authorize with the engine's own reason and takes its subject", () => {
    expectTypeOf<DecisionReason>().toEqualTypeOf<Reason>();
    expectTypeOf<PolicySubject>().toExtend<Subject>();
  });

  it('infers request and response types from zod 4 schemas (not never)', () => {
    expectTypeOf<ClientInferRequest<typeof contract.auth.login>['body']>().toEqualTypeOf<
      z.input<typeof loginBodySchema>
    >();
    expectTypeOf<LoginBody>().toHaveProperty('tenant_code').toEqualTypeOf<string>();
    expectTypeOf<ServerInferResponseBody<typeof contract.auth.login, 200>>().toEqualTypeOf<TokenResponse>();
    expectTypeOf<ServerInferResponseBody<typeof contract.auth.login, 401>>().toEqualTypeOf<Problem>();
    expectTypeOf<ServerInferResponseBody<typeof contract.groups.list, 400>>().toEqualTypeOf<Problem>();
    expectTypeOf<ClientInferRequest<typeof contract.groups.removeMember>['params']>().toEqualTypeOf<{
      id: string;
      account_id: string;
    }>();
  });
});

describe('OpenAPI document', () => {
  const doc = generateOpenApiDocument({ version: '1.2.3', serverUrl: 'https://api.example.com' });
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Record<string, unknown>>).map(([method, op]) => ({
      path,
      method,
      op,
    })),
  );

  it('describes every route, with security from its metadata', () => {
    expect(operations.length).toBe(routes.length);
    expect(doc.info.version).toBe('1.2.3');
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(['apiKey', 'bearer']);
    for (const { path, method, op } of operations) {
      expect(path.startsWith(basePath), path).toBe(true);
      expect(op['x-enforcer-auth'], `${method} ${path}`).toBeDefined();
      expect(Array.isArray(op.security)).toBe(true);
      expect((op.tags as string[]).length).toBe(1);
      if (op['x-enforcer-auth'] === 'none') expect(op.security).toEqual([]);
      else expect((op.security as unknown[]).length).toBeGreaterThan(0);
    }
  });

  it('has real schemas (zod 4), with refs only to components that exist', () => {
    const text = JSON.stringify(doc);
    const schemas = doc.components?.schemas ?? {};
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(schemas[name!], name).toBeDefined();
    }
    expect(text).not.toContain('#/definitions/');
    const login = doc.paths[`${basePath}/auth/login`].post;
    expect(login.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/LoginRequest',
    });
    const variants = (schemas.LoginRequest as { oneOf: Array<{ additionalProperties?: boolean }> }).oneOf;
    expect(variants.length).toBeGreaterThan(1);
    for (const variant of variants) expect(variant.additionalProperties).toBe(false);
    expect(schemas.Problem).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['code', 'status']),
    });
    expect(login.responses['401'].content[problemContentType].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
  });

  it('gives every route that takes a JSON body its request body schema (the policy document is zod/mini)', () => {
    const withBody = routes
      .map(({ route }) => route)
      .filter((r) => r.method !== 'GET' && 'body' in r && r.body !== null && typeof r.body === 'object');
    expect(withBody.length).toBeGreaterThan(10);
    for (const route of withBody) {
      const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      // OAuth endpoints take form bodies (RFC 6749), declared with the contract's `contentType`.
      const type = (route as { contentType?: string }).contentType ?? 'application/json';
      expect(op?.requestBody?.content?.[type]?.schema, `${route.method} ${path}`).toBeDefined();
    }
    expect(doc.paths[`${basePath}/policy`].put.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/PolicyDocument',
    });
  });

  it('documents query and header parameters', () => {
    const put = doc.paths[`${basePath}/policy`].put;
    expect(put.parameters).toContainEqual(
      expect.objectContaining({ name: 'if-match', in: 'header', required: false }),
    );
    const list = doc.paths[`${basePath}/accounts`].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'cursor',
      'email',
      'role',
      'active',
      'status',
      'include',
    ]);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe('docs', () => {
  it('docs/errors.md lists every error code with its status', () => {
    const text = readFileSync(docsPath('errors.md'), 'utf8');
    for (const code of errorCodes) {
      expect(text, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${errorStatus[code]}\\s*\\|`));
    }
  });

  it('docs/api.md lists every endpoint', () => {
    const text = readFileSync(docsPath('api.md'), 'utf8');
    for (const { route } of routes) {
      const path = route.path.slice(basePath.length).replace(/:(\w+)/g, '{$1}');
      const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(text, `${route.method} ${path}`).toMatch(
        new RegExp(`\\|\\s*${route.method}\\s*\\|\\s*\`${escaped}\`\\s*\\|`),
      );
    }
  });

  it("docs/api.md gives each endpoint's auth and permission as the contract's metadata does", () => {
    const text = readFileSync(docsPath('api.md'), 'utf8');
    for (const { route } of routes) {
      const path = route.path.slice(basePath.length).replace(/:(\w+)/g, '{$1}');
      const row = text
        .split('\n')
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .find((cells) => cells[1] === route.method && cells[2] === `\`${path}\``);
      const meta = getRouteMetadata(route);
      expect(row?.[3]?.split(' ')[0], `${route.method} ${path} auth`).toBe(meta.auth);
      expect(row?.[4], `${route.method} ${path} permission`).toBe(
        meta.permission ? `\`${meta.permission}\`` : '',
      );
    }
  });
});
