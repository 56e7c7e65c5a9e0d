// Tenant isolation and hostile input on every admin route, over HTTP: another tenant's credentials
// never reach this tenant's objects (404, as if they did not exist), no credential is a 401, and
// malformed, oversized or wrong-typed input is a 4xx problem with a stable code, never a 5xx.
import { basePath, contract, defaultPolicy, errorCodes, getRouteMetadata } from '@enforcer/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, expectProblem, type SeededTenant, seedTenant, uniqueEmail } from './admin-setup.js';
import { type ApiOptions, type ApiResponse, startServer } from './harness.js';
import { platformKeys } from './platform-fixtures.js';

const operator = platformKeys();
const server = await startServer({ env: operator.env });
const { api } = server;
let a: SeededTenant;
let b: SeededTenant;
let aGroupId: string;
let bGroupId: string;
let aMemberSessionId: string;
let aInviteId: string;
/** An audit event of tenant A (#15). */
let aEventId: string;
let aDeletionId: string;
/** An application (machine client, #18) of tenant A, and its credentials. */
let aApp: { id: string; client_id: string; client_secret: string };
/** A webhook endpoint of tenant A and a delivery to it (#16). */
let aHookId: string;
let aDeliveryId: string;

beforeAll(async () => {
  a = await seedTenant(server, 'Tenant A');
  b = await seedTenant(server, 'Tenant B');
  aGroupId = expectOk(
    await api('POST', '/groups', { apiKey: a.apiKey, body: { name: 'a_only', permissions: ['a.secret'] } }),
    201,
  ).id;
  bGroupId = expectOk(await api('GET', '/groups', { apiKey: b.apiKey })).data[0].id;
  aMemberSessionId = expectOk(await api('GET', '/auth/me', { token: a.member.token })).session.id;
  // Roles, groups and invites (#14): a role only A has.
  expectOk(
    await api('POST', '/roles', {
      token: a.owner.token,
      body: { name: 'a_role', permissions: ['a.secret'] },
    }),
    201,
  );
  aInviteId = expectOk(
    await api('POST', `/tenants/${a.tenant.id}/invites`, {
      apiKey: a.apiKey,
      body: { email: uniqueEmail('a-invitee'), send_email: false },
    }),
    201,
  ).id;
  expectOk(
    await api('POST', `/groups/${aGroupId}/members`, {
      apiKey: a.apiKey,
      body: { account_id: a.member.accountId },
    }),
    201,
  );
  aEventId = expectOk(await api('GET', '/audit-events?limit=1', { apiKey: a.apiKey })).data[0].id;
  // Privacy (#15): a person of A asks to be erased.
  const leaving = await a.addAccount('member');
  aDeletionId = expectOk(await api('POST', '/auth/me/deletion', { token: leaving.token, body: {} }), 201).id;
  aApp = expectOk(
    await api('POST', '/applications', {
      apiKey: a.apiKey,
      body: { name: 'a_app', scopes: ['accounts.read'] },
    }),
    201,
  );
  // Webhooks (#16): this server runs no delivery worker, so nothing is sent.
  aHookId = expectOk(
    await api('POST', '/webhooks/endpoints', {
      apiKey: a.apiKey,
      body: { url: 'http://127.0.0.1:9/a-hook', event_types: ['*'] },
    }),
    201,
  ).id;
  aDeliveryId = expectOk(
    await api('POST', `/webhooks/endpoints/${aHookId}/test`, { apiKey: a.apiKey }),
    202,
  ).id;
});

interface Route {
  method: string;
  path: () => string;
  body?: () => unknown;
}

/** Every admin route, aimed at tenant A's objects. */
const routesOnA = (): Route[] => [
  { method: 'GET', path: () => `/tenants/${a.tenant.id}` },
  { method: 'PATCH', path: () => `/tenants/${a.tenant.id}`, body: () => ({ name: 'Taken over' }) },
  {
    method: 'PUT',
    path: () => `/tenants/${a.tenant.id}/auth-provider`,
    body: () => ({ provider: 'google' }),
  },
  { method: 'POST', path: () => `/tenants/${a.tenant.id}/invites`, body: () => ({ email: uniqueEmail() }) },
  // Magic-link settings (#13).
  { method: 'GET', path: () => `/tenants/${a.tenant.id}/magic-link` },
  {
    method: 'PUT',
    path: () => `/tenants/${a.tenant.id}/magic-link`,
    body: () => ({ redirect_urls: ['https://taken.example/magic'] }),
  },
  // Social sign-in settings (#17).
  { method: 'GET', path: () => `/tenants/${a.tenant.id}/oauth` },
  {
    method: 'PUT',
    path: () => `/tenants/${a.tenant.id}/oauth`,
    body: () => ({ providers: [], redirect_urls: ['https://taken.example/cb'] }),
  },
  {
    method: 'POST',
    path: () => `/groups/${aGroupId}/members`,
    body: () => ({ account_id: a.member.accountId }),
  },
  { method: 'DELETE', path: () => `/groups/${aGroupId}/members/${a.member.accountId}` },
  { method: 'GET', path: () => `/directory/accounts/${a.member.accountId}/groups` },
  { method: 'GET', path: () => `/accounts/${a.member.accountId}` },
  { method: 'PUT', path: () => `/accounts/${a.member.accountId}/role`, body: () => ({ role: 'admin' }) },
  { method: 'PUT', path: () => `/accounts/${a.member.accountId}/active`, body: () => ({ active: false }) },
  // Several roles per account (#14).
  { method: 'POST', path: () => `/accounts/${a.member.accountId}/roles`, body: () => ({ role: 'admin' }) },
  { method: 'DELETE', path: () => `/accounts/${a.member.accountId}/roles/member` },
  { method: 'GET', path: () => `/accounts/${a.member.accountId}/sessions` },
  { method: 'DELETE', path: () => `/accounts/${a.member.accountId}/sessions/${aMemberSessionId}` },
  { method: 'DELETE', path: () => `/accounts/${a.member.accountId}/sessions` },
  { method: 'DELETE', path: () => `/api-keys/${a.apiKeyId}` },
  // Account lifecycle (#14).
  {
    method: 'POST',
    path: () => `/accounts/${a.member.accountId}/lock`,
    body: () => ({ reason: 'taken over' }),
  },
  { method: 'POST', path: () => `/accounts/${a.member.accountId}/unlock` },
  {
    method: 'POST',
    path: () => `/accounts/${a.member.accountId}/ban`,
    body: () => ({ reason: 'taken over' }),
  },
  { method: 'POST', path: () => `/accounts/${a.member.accountId}/unban` },
  { method: 'DELETE', path: () => `/accounts/${a.member.accountId}` },
  { method: 'POST', path: () => `/accounts/${a.member.accountId}/restore` },
  {
    method: 'POST',
    path: () => `/accounts/${a.member.accountId}/mfa/reset`,
    body: () => ({ reason: 'taken over' }),
  },
  // Account metadata (#14).
  {
    method: 'PATCH',
    path: () => `/accounts/${a.member.accountId}`,
    body: () => ({ public_metadata: { kyc_level: 9 }, private_metadata: { owned: true } }),
  },
  // Roles, groups and invites (#14).
  { method: 'PATCH', path: () => '/roles/a_role', body: () => ({ permissions: [] }) },
  { method: 'DELETE', path: () => '/roles/a_role' },
  { method: 'PATCH', path: () => `/groups/${aGroupId}`, body: () => ({ description: 'Taken over' }) },
  { method: 'GET', path: () => `/groups/${aGroupId}/members` },
  { method: 'DELETE', path: () => `/groups/${aGroupId}` },
  { method: 'GET', path: () => `/tenants/${a.tenant.id}/invites` },
  { method: 'DELETE', path: () => `/tenants/${a.tenant.id}/invites/${aInviteId}` },
  { method: 'POST', path: () => `/tenants/${a.tenant.id}/invites/${aInviteId}/resend` },
  {
    method: 'POST',
    path: () => '/authorize',
    body: () => ({ action: 'a.secret', account_id: a.member.accountId }),
  },
  {
    method: 'POST',
    path: () => '/authorize/batch',
    body: () => ({ checks: [{ action: 'a.secret' }], account_id: a.member.accountId }),
  },
  {
    method: 'POST',
    path: () => '/authorize/filter',
    body: () => ({ action: 'accounts.read', resource_type: 'account', account_id: a.member.accountId }),
  },
  // Audit (#15).
  { method: 'GET', path: () => `/audit-events/${aEventId}` },
  // Privacy (#15).
  { method: 'POST', path: () => `/deletion-requests/${aDeletionId}/process` },
  // Applications (#18).
  { method: 'GET', path: () => `/applications/${aApp.id}` },
  { method: 'PATCH', path: () => `/applications/${aApp.id}`, body: () => ({ name: 'Taken over' }) },
  { method: 'POST', path: () => `/applications/${aApp.id}/rotate-secret` },
  { method: 'DELETE', path: () => `/applications/${aApp.id}` },
  // Webhooks (#16).
  { method: 'GET', path: () => `/webhooks/endpoints/${aHookId}` },
  {
    method: 'PATCH',
    path: () => `/webhooks/endpoints/${aHookId}`,
    body: () => ({ url: 'http://127.0.0.1:9/taken-over' }),
  },
  { method: 'POST', path: () => `/webhooks/endpoints/${aHookId}/rotate-secret` },
  { method: 'POST', path: () => `/webhooks/endpoints/${aHookId}/test` },
  { method: 'GET', path: () => `/webhooks/endpoints/${aHookId}/deliveries` },
  { method: 'POST', path: () => `/webhooks/deliveries/${aDeliveryId}/replay` },
  { method: 'DELETE', path: () => `/webhooks/endpoints/${aHookId}` },
  // The KYC module's settings (#16).
  { method: 'GET', path: () => `/tenants/${a.tenant.id}/modules/kyc` },
  {
    method: 'PUT',
    path: () => `/tenants/${a.tenant.id}/modules/kyc`,
    body: () => ({ enabled: true, provider: 'development' }),
  },
  // The messaging module's settings and templates (#16).
  { method: 'GET', path: () => `/tenants/${a.tenant.id}/messaging` },
  {
    method: 'PUT',
    path: () => `/tenants/${a.tenant.id}/messaging`,
    body: () => ({ from: 'Taken <taken@example.com>' }),
  },
  { method: 'GET', path: () => `/tenants/${a.tenant.id}/messaging/templates/otp_code/en` },
  {
    method: 'PUT',
    path: () => `/tenants/${a.tenant.id}/messaging/templates/otp_code/en`,
    body: () => ({ subject: 'Taken', text: 'Taken over {{code}}' }),
  },
  { method: 'DELETE', path: () => `/tenants/${a.tenant.id}/messaging/templates/otp_code/en` },
  {
    method: 'POST',
    path: () => `/tenants/${a.tenant.id}/messaging/preview`,
    body: () => ({ kind: 'otp_code' }),
  },
];

/**
 * Routes with an id in the path that are not in `routesOnA`, and why: each is a person's own (the caller's
 * sessions, identities and passkeys: another person's id is a 404 in their own tests) or is tested above
 * with a credential of its own.
 */
const notOnA: Record<string, string> = {
  'DELETE /auth/sessions/:id': "the caller's own sessions (auth-session-lists.test.ts)",
  'DELETE /auth/identities/:id': "the caller's own identities (auth-linking.test.ts)",
  'DELETE /auth/passkey/credentials/:id': "the caller's own passkeys (auth-passkey.test.ts)",
  'POST /accounts/:id/impersonate': 'user tokens only: the impersonation test of this file',
};

/** Every route of the contract that names a tenant's object in its path (a tenant's credential calls it). */
const routesWithIds = (node: unknown = contract): { method: string; path: string }[] => {
  if (!node || typeof node !== 'object') return [];
  if ('method' in node && 'path' in node) {
    const route = node as { method: string; path: string };
    const auth = getRouteMetadata(node as { metadata?: unknown }).auth;
    const path = route.path.slice(basePath.length);
    return path.includes(':') && auth !== 'none' && auth !== 'platform'
      ? [{ method: route.method, path }]
      : [];
  }
  return Object.values(node).flatMap((child) => routesWithIds(child));
};

/** Every admin route that needs a credential (paths on A; the lists and the policy included). */
const credentialRoutes = (): Route[] => [
  ...routesOnA(),
  { method: 'GET', path: () => '/groups' },
  { method: 'POST', path: () => '/groups', body: () => ({ name: 'g' }) },
  { method: 'GET', path: () => '/roles' },
  { method: 'POST', path: () => '/roles', body: () => ({ name: 'r', permissions: [] }) },
  { method: 'GET', path: () => '/accounts' },
  // Impersonation (#14) takes user tokens only, so it is not in routesOnA's API-key loop.
  {
    method: 'POST',
    path: () => `/accounts/${a.member.accountId}/impersonate`,
    body: () => ({ reason: 'taken over' }),
  },
  { method: 'POST', path: () => '/accounts', body: () => ({ email: uniqueEmail() }) },
  { method: 'POST', path: () => '/api-keys', body: () => ({ name: 'k' }) },
  { method: 'GET', path: () => '/api-keys' },
  { method: 'GET', path: () => '/policy' },
  { method: 'PUT', path: () => '/policy', body: () => ({ version: 1, resources: {}, roles: {} }) },
  { method: 'GET', path: () => '/auth/sessions' },
  { method: 'DELETE', path: () => `/auth/sessions/${aMemberSessionId}` },
  { method: 'DELETE', path: () => '/auth/sessions?except=current' },
  // Audit (#15).
  { method: 'GET', path: () => '/audit-events' },
  { method: 'GET', path: () => '/audit-events/export?from=2020-01-01T00:00:00Z&to=2040-01-01T00:00:00Z' },
  { method: 'GET', path: () => '/audit-events/verify' },
  { method: 'GET', path: () => '/audit-settings' },
  { method: 'PATCH', path: () => '/audit-settings', body: () => ({ audit_retention_days: 30 }) },
  { method: 'GET', path: () => '/auth/activity' },
  // Privacy (#15).
  { method: 'GET', path: () => '/deletion-requests' },
  { method: 'GET', path: () => '/privacy-settings' },
  { method: 'PATCH', path: () => '/privacy-settings', body: () => ({ deletion_grace_days: 1 }) },
  { method: 'GET', path: () => '/auth/me/export' },
  { method: 'POST', path: () => '/auth/me/deletion', body: () => ({}) },
  { method: 'GET', path: () => '/auth/me/deletion' },
  { method: 'DELETE', path: () => '/auth/me/deletion' },
  // Applications (#18).
  { method: 'GET', path: () => '/applications' },
  { method: 'POST', path: () => '/applications', body: () => ({ name: 'x', scopes: ['accounts.read'] }) },
  // Webhooks (#16).
  { method: 'GET', path: () => '/webhooks/endpoints' },
  {
    method: 'POST',
    path: () => '/webhooks/endpoints',
    body: () => ({ url: 'http://127.0.0.1:9/hook', event_types: ['*'] }),
  },
  // KYC (#16): the signed-in person's own verification.
  { method: 'POST', path: () => '/kyc/sessions', body: () => ({}) },
  { method: 'GET', path: () => '/kyc/status' },
  { method: 'POST', path: () => '/authorize', body: () => ({ action: 'a.b' }) },
  { method: 'POST', path: () => '/authorize/batch', body: () => ({ checks: [{ action: 'a.b' }] }) },
  {
    method: 'POST',
    path: () => '/authorize/filter',
    body: () => ({ action: 'a.b', resource_type: 'account' }),
  },
];

const call = (route: Route, options: ApiOptions = {}) =>
  api(route.method, route.path(), { ...(route.body ? { body: route.body() } : {}), ...options });

const expectProblemCode = (response: ApiResponse, label: string) => {
  expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, label).toBeLessThan(500);
  expect(response.headers.get('content-type'), label).toMatch(/^application\/problem\+json/);
  expect(errorCodes, label).toContain(response.body.code);
};

describe("another tenant's credentials", () => {
  it('are tried on every route of the contract that names an object by id (a new route joins routesOnA)', () => {
    const tried = routesOnA().map((r) => `${r.method} ${r.path().split('?')[0]}`);
    const missing = routesWithIds().filter((route) => {
      const key = `${route.method} ${route.path}`;
      if (key in notOnA) return false;
      const pattern = new RegExp(`^${route.method} ${route.path.replace(/:\w+/g, '[^/]+')}$`);
      return !tried.some((t) => pattern.test(t));
    });
    expect(missing).toEqual([]);
    expect(routesWithIds().length).toBeGreaterThan(50);
  });

  it("reach none of tenant A's objects: 404 with B's owner token and B's API key", async () => {
    for (const route of routesOnA()) {
      for (const [who, credential] of [
        ['token', { token: b.owner.token }],
        ['api key', { apiKey: b.apiKey }],
      ] as const) {
        const response = await call(route, credential);
        const label = `${route.method} ${route.path()} with B's ${who}`;
        expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(404);
        expect(response.body.code, label).toBe('not_found');
      }
    }
    // Nothing changed in A.
    const tenant = expectOk(await api('GET', `/tenants/${a.tenant.id}`, { apiKey: a.apiKey }));
    expect(tenant).toMatchObject({ name: 'Tenant A', auth_providers: ['email_otp'] });
    const member = expectOk(await api('GET', `/accounts/${a.member.accountId}`, { apiKey: a.apiKey }));
    expect(member).toMatchObject({
      role: 'member',
      roles: ['member'],
      active: true,
      status: 'active',
      groups: ['a_only'],
      public_metadata: {},
      private_metadata: {},
    });
    expectOk(await api('GET', '/groups', { apiKey: a.apiKey }));
    expectOk(await api('GET', '/auth/me', { token: a.member.token }));
    // A's deletion request is still pending: B could neither process nor see it.
    const pending = expectOk(await api('GET', '/deletion-requests?status=pending', { apiKey: a.apiKey }));
    expect(pending.data.map((r: { id: string }) => r.id)).toContain(aDeletionId);
    // A's endpoint kept its URL, its secret and its one delivery (#16).
    const hook = expectOk(await api('GET', `/webhooks/endpoints/${aHookId}`, { apiKey: a.apiKey }));
    expect(hook).toMatchObject({ url: 'http://127.0.0.1:9/a-hook', enabled: true });
    const hookRow = await server.db.records('webhookEndpoints').one(aHookId);
    expect(hookRow.previousSecretSealed).toBeNull();
    const deliveries = expectOk(
      await api('GET', `/webhooks/endpoints/${aHookId}/deliveries`, { apiKey: a.apiKey }),
    );
    expect(deliveries.data.map((d: { id: string }) => d.id)).toEqual([aDeliveryId]);
  });

  it("cannot impersonate A's accounts: 404 with B's owner token (an API key may not impersonate at all)", async () => {
    for (const target of [a.member.accountId, a.admin.accountId, a.owner.accountId]) {
      expectProblem(
        await api('POST', `/accounts/${target}/impersonate`, {
          token: b.owner.token,
          body: { reason: 'taken over' },
        }),
        404,
        'not_found',
      );
    }
    expectProblem(
      await api('POST', `/accounts/${a.member.accountId}/impersonate`, {
        apiKey: b.apiKey,
        body: { reason: 'taken over' },
      }),
      403,
      'credential_not_allowed',
    );
    // Malformed ids are 400 for a caller who may impersonate.
    for (const bad of ['not-a-uuid', "'%20OR%201=1--", 'x'.repeat(150)]) {
      expectProblem(
        await api('POST', `/accounts/${bad}/impersonate`, { token: a.owner.token, body: { reason: 'x' } }),
        400,
        'validation_failed',
      );
    }
    const started = await server.db.auditEvents({ action: 'account.impersonation.started' });
    expect(started).toEqual([]);
  });

  it("lists and the policy show only the caller's tenant", async () => {
    const aIds = new Set([
      a.tenant.id,
      a.owner.accountId,
      a.admin.accountId,
      a.member.accountId,
      a.apiKeyId,
      aGroupId,
      aDeletionId,
      aApp.id,
      aApp.client_id,
      aHookId,
    ]);
    for (const path of [
      '/groups',
      '/accounts',
      '/api-keys',
      '/roles',
      '/policy',
      `/directory/accounts/${b.member.accountId}/groups`,
      `/accounts/${b.member.accountId}/sessions`,
      // Audit (#15): B's log, its export and its chain say nothing of A.
      '/audit-events?limit=100',
      '/audit-events/export?from=2020-01-01T00:00:00Z&to=2040-01-01T00:00:00Z',
      '/audit-events/verify',
      // Privacy (#15): B's deletion requests are B's.
      '/deletion-requests?limit=100',
      // Applications (#18).
      '/applications',
      // Webhooks (#16).
      '/webhooks/endpoints',
    ]) {
      for (const credential of [{ token: b.owner.token }, { apiKey: b.apiKey }]) {
        const body = JSON.stringify(expectOk(await api('GET', path, credential)));
        for (const id of aIds) expect(body, `${path} leaks ${id}`).not.toContain(id);
        expect(body).not.toContain('a_only');
        expect(body).not.toContain('a.secret');
      }
    }
  });

  it("provision only into their own tenant, never learning of A's people or A's pending provisionings", async () => {
    const email = uniqueEmail('both');
    const inA = expectOk(await api('POST', '/accounts', { apiKey: a.apiKey, body: { email } }), 201);
    // B provisions the same email (and A's member's email) as if A did not exist: same answers, B's own.
    const inB = expectOk(await api('POST', '/accounts', { apiKey: b.apiKey, body: { email } }), 201);
    expect(inB.id).not.toBe(inA.id);
    expectOk(await api('POST', '/accounts', { apiKey: b.apiKey, body: { email: a.member.email } }), 201);
    // Idempotency keys are per tenant: A's key means nothing in B.
    const key = `iso-${Date.now()}`;
    const keyed = { 'idempotency-key': key };
    expectOk(
      await api('POST', '/accounts', { apiKey: a.apiKey, body: { email: uniqueEmail() }, headers: keyed }),
      201,
    );
    expectOk(
      await api('POST', '/accounts', { apiKey: b.apiKey, body: { email: uniqueEmail() }, headers: keyed }),
      201,
    );
    const aInvites = JSON.stringify(
      expectOk(await api('GET', `/tenants/${a.tenant.id}/invites?limit=100`, { apiKey: a.apiKey })),
    );
    expect(aInvites).not.toContain(inB.id);
    expectProblem(
      await api('DELETE', `/tenants/${a.tenant.id}/invites/${inA.id}`, { apiKey: b.apiKey }),
      404,
      'not_found',
    );
  });

  it("cannot pull A's accounts into B's groups, nor decide for them", async () => {
    expectProblem(
      await api('POST', `/groups/${bGroupId}/members`, {
        apiKey: b.apiKey,
        body: { account_id: a.member.accountId },
      }),
      404,
      'not_found',
    );
    expectProblem(
      await api('DELETE', `/groups/${bGroupId}/members/${a.member.accountId}`, { apiKey: b.apiKey }),
      404,
      'not_found',
    );
    // A record of A checked by B's admin: the engine's tenant check answers.
    const record = { type: 'account', attributes: { id: a.member.accountId, tenant_id: a.tenant.id } };
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: b.owner.token,
          body: { action: 'accounts.read', resource: record },
        }),
      ),
    ).toEqual({ allowed: false, reason: { kind: 'tenant_mismatch' } });
  });
});

describe("another tenant's OAuth clients (#18)", () => {
  const form = (path: string, params: Record<string, string>, headers: Record<string, string>) =>
    api('POST', path, {
      raw: new URLSearchParams(params).toString(),
      contentType: 'application/x-www-form-urlencoded',
      headers,
    });
  const basicOf = (app: { client_id: string; client_secret: string }) =>
    `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;

  it("neither introspect nor revoke A's tokens, and A's application's token acts only as A's", async () => {
    const bApp = expectOk(
      await api('POST', '/applications', {
        apiKey: b.apiKey,
        body: { name: 'b_app', scopes: ['accounts.read'] },
      }),
      201,
    );
    const aToken = expectOk(
      await form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: basicOf(aApp) }),
    ).access_token;
    const bCredentials: Record<string, string>[] = [
      { 'x-api-key': b.apiKey },
      { authorization: basicOf(bApp) },
    ];
    for (const headers of bCredentials) {
      for (const token of [aToken, a.member.token]) {
        expect(expectOk(await form('/oauth/introspect', { token }, headers))).toEqual({ active: false });
        expect((await form('/oauth/revoke', { token }, headers)).status).toBe(200);
      }
    }
    // Still active for A.
    const seen = expectOk(await form('/oauth/introspect', { token: aToken }, { 'x-api-key': a.apiKey }));
    expect(seen).toMatchObject({ active: true, tenant_id: a.tenant.id, client_id: aApp.client_id });
    expectOk(await api('GET', '/auth/me', { token: a.member.token }));
    // A's client token says tenant A; B's secret never authenticates A's client id.
    expect(
      (
        await form(
          '/oauth/token',
          { grant_type: 'client_credentials' },
          { authorization: basicOf({ client_id: aApp.client_id, client_secret: bApp.client_secret }) },
        )
      ).status,
    ).toBe(401);
  });
});

describe("a member's token", () => {
  /** Every route of the contract that names a permission, with its metadata. */
  const permissionRoutes = (
    node: unknown = contract,
  ): { method: string; path: string; permission: string; takesBody: boolean }[] => {
    if (typeof node !== 'object' || node === null) return [];
    const route = node as { method?: unknown; path?: unknown };
    if (typeof route.method === 'string' && typeof route.path === 'string') {
      const meta = getRouteMetadata(node as { metadata?: unknown });
      return meta.permission && meta.auth !== 'api_key' && meta.auth !== 'platform'
        ? [
            {
              method: route.method,
              path: route.path,
              permission: meta.permission,
              // A zod schema (c.noBody() is not one): send a body, empty, for the permission to answer first.
              takesBody: typeof (node as { body?: { safeParse?: unknown } }).body?.safeParse === 'function',
            },
          ]
        : [];
    }
    return Object.values(node).flatMap((child) => permissionRoutes(child));
  };

  it("is refused (403 forbidden) on every route whose permission the member role lacks, A's ids in the path", async () => {
    const held = defaultPolicy().roles.member!.permissions;
    const ids: Record<string, string> = {
      id: a.member.accountId,
      account_id: a.admin.accountId,
      session_id: aMemberSessionId,
      invite_id: aInviteId,
      role: 'member',
    };
    const refused = permissionRoutes().filter((r) => !held.includes(r.permission));
    expect(refused.map((r) => r.permission)).toEqual(
      expect.arrayContaining(['sessions.read', 'sessions.revoke', 'accounts.update']),
    );
    for (const route of refused) {
      const path = route.path
        .slice(basePath.length)
        .replace(/:(\w+)/g, (_, name: string) =>
          name === 'id' && route.path.includes('/tenants/') ? a.tenant.id : (ids[name] ?? a.member.accountId),
        );
      const response = await api(route.method, path, {
        token: a.member.token,
        ...(route.takesBody ? { body: {} } : {}),
      });
      const label = `${route.method} ${path} (${route.permission})`;
      expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(403);
      expect(response.body.code, label).toBe('forbidden');
      // The engine's reason (the member's role grants nothing of it), as the verifier's middleware says it.
      expect(response.body.reason, label).toBe('no_matching_allow');
    }
    // Nothing the member asked for happened.
    expectOk(await api('GET', '/auth/me', { token: a.member.token }));
    expectOk(await api('GET', '/auth/me', { token: a.admin.token }));
  });
});

describe('the platform API (#15)', () => {
  /** Every `/platform/*` route of the contract, aimed at tenant A. */
  const platformRoutes = (node: unknown = contract): Route[] => {
    if (typeof node !== 'object' || node === null) return [];
    const route = node as { method?: unknown; path?: unknown };
    if (typeof route.method === 'string' && typeof route.path === 'string') {
      if (getRouteMetadata(node as { metadata?: unknown }).auth !== 'platform') return [];
      const { method, path } = route as { method: string; path: string };
      return [
        {
          method,
          path: () => path.slice(basePath.length).replace(':id', a.tenant.id),
          ...(method === 'PATCH' ? { body: () => ({ status: 'suspended', reason: 'taken over' }) } : {}),
        },
      ];
    }
    return Object.values(node).flatMap((child) => platformRoutes(child));
  };

  it("no tenant's credential reaches it, whatever its role: 403 credential_not_allowed; none is a 401", async () => {
    const routes = platformRoutes();
    expect(routes.map((r) => `${r.method} ${r.path()}`)).toEqual(
      expect.arrayContaining([`GET /platform/tenants`, `PATCH /platform/tenants/${a.tenant.id}`]),
    );
    for (const route of routes) {
      const label = `${route.method} ${route.path()}`;
      for (const [who, credential] of [
        ["A's owner token", { token: a.owner.token }],
        ["A's admin token", { token: a.admin.token }],
        ["A's member token", { token: a.member.token }],
        ["A's API key", { apiKey: a.apiKey }],
        ["B's owner token", { token: b.owner.token }],
        ["B's API key", { apiKey: b.apiKey }],
      ] as const) {
        const response = await call(route, credential);
        expect(response.status, `${label} with ${who}: ${JSON.stringify(response.body)}`).toBe(403);
        expect(response.body.code, `${label} with ${who}`).toBe('credential_not_allowed');
      }
      expectProblem(await call(route), 401, 'unauthenticated');
      expectProblem(await call(route, { apiKey: `enfp_${'A'.repeat(43)}` }), 401, 'invalid_credentials');
    }
    // A was never suspended.
    expect(
      expectOk(await api('GET', `/platform/tenants/${a.tenant.id}`, { apiKey: operator.operator.key })),
    ).toMatchObject({
      status: 'active',
    });
    expectOk(await api('GET', '/auth/me', { token: a.member.token }));
  });

  it("the platform key reaches no tenant's route: 403 credential_not_allowed", async () => {
    for (const route of credentialRoutes()) {
      const response = await call(route, { apiKey: operator.operator.key });
      const label = `${route.method} ${route.path()}`;
      expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(403);
      expect(response.body.code, label).toBe('credential_not_allowed');
    }
  });

  it('malformed tenant ids are 400 for the operator', async () => {
    for (const bad of ['not-a-uuid', "'%20OR%201=1--", 'x'.repeat(150)]) {
      expectProblem(
        await api('GET', `/platform/tenants/${bad}`, { apiKey: operator.operator.key }),
        400,
        'validation_failed',
      );
      expectProblem(
        await api('PATCH', `/platform/tenants/${bad}`, {
          apiKey: operator.operator.key,
          body: { status: 'active' },
        }),
        400,
        'validation_failed',
      );
    }
  });
});

describe('no credential, or a bad one', () => {
  it('is a 401 on every route that needs one', async () => {
    for (const route of credentialRoutes()) {
      const label = `${route.method} ${route.path()}`;
      expectProblem(await call(route), 401, 'unauthenticated');
      const forged = await call(route, { token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln' });
      expect(forged.status, label).toBe(401);
      expect(forged.body.code, label).toBe('token_invalid');
      const badKey = await call(route, { apiKey: `enf_${'A'.repeat(43)}` });
      expect(badKey.status, label).toBe(401);
      expect(badKey.body.code, label).toBe('invalid_credentials');
      const badScheme = await call(route, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expect(badScheme.status, label).toBe(401);
    }
  });
});

describe('hostile input', () => {
  const idRoutes = [
    ['GET', '/tenants/:x'],
    ['PATCH', '/tenants/:x', { name: 'x' }],
    ['PUT', '/tenants/:x/auth-provider', { provider: 'email_otp' }],
    ['GET', '/tenants/:x/modules/kyc'],
    ['PUT', '/tenants/:x/modules/kyc', { enabled: false, provider: 'development' }],
    ['POST', '/tenants/:x/invites', { email: 'a@b.co' }],
    ['POST', '/groups/:x/members', { account_id: '00000000-0000-4000-8000-000000000000' }],
    ['DELETE', '/groups/:x/members/:x'],
    ['GET', '/directory/accounts/:x/groups'],
    ['GET', '/accounts/:x'],
    ['PUT', '/accounts/:x/role', { role: 'member' }],
    ['PUT', '/accounts/:x/active', { active: true }],
    ['POST', '/accounts/:x/roles', { role: 'member' }],
    ['DELETE', '/accounts/:x/roles/member'],
    ['GET', '/accounts/:x/sessions'],
    ['DELETE', '/accounts/:x/sessions'],
    ['DELETE', '/accounts/:x/sessions/:x'],
    ['DELETE', '/api-keys/:x'],
    // Account lifecycle (#14).
    ['POST', '/accounts/:x/lock', { reason: 'x' }],
    ['POST', '/accounts/:x/ban', { reason: 'x' }],
    ['POST', '/accounts/:x/unban'],
    ['DELETE', '/accounts/:x'],
    ['POST', '/accounts/:x/restore'],
    ['POST', '/accounts/:x/mfa/reset', { reason: 'x' }],
    ['PATCH', '/accounts/:x', { public_metadata: { a: 1 } }],
    ['PATCH', '/groups/:x', { description: 'x' }],
    ['DELETE', '/groups/:x'],
    ['GET', '/groups/:x/members'],
    ['GET', '/tenants/:x/invites'],
    ['DELETE', '/tenants/:x/invites/:x'],
    ['POST', '/tenants/:x/invites/:x/resend'],
    // Audit (#15).
    ['GET', '/audit-events/:x'],
    // Applications (#18).
    ['GET', '/applications/:x'],
    ['PATCH', '/applications/:x', { name: 'x' }],
    ['DELETE', '/applications/:x'],
    ['POST', '/applications/:x/rotate-secret'],
  ] as const;

  it('malformed path ids are 400 validation_failed', async () => {
    for (const [method, template, body] of idRoutes) {
      for (const bad of [
        'not-a-uuid',
        '1',
        '00000000-0000-0000-0000-00000000000g',
        "'%20OR%201=1--",
        'x'.repeat(150),
      ]) {
        const path = template.replaceAll(':x', bad);
        const response = await api(method, path, { apiKey: a.apiKey, ...(body ? { body } : {}) });
        expectProblemCode(response, `${method} ${path}`);
        expect(response.body.code, `${method} ${path}`).toBe('validation_failed');
      }
    }
  });

  const bodyRoutes = (): Route[] => [
    { method: 'PATCH', path: () => `/tenants/${a.tenant.id}` },
    { method: 'PUT', path: () => `/tenants/${a.tenant.id}/auth-provider` },
    { method: 'PUT', path: () => `/tenants/${a.tenant.id}/modules/kyc` },
    { method: 'POST', path: () => `/tenants/${a.tenant.id}/invites` },
    { method: 'POST', path: () => '/groups' },
    { method: 'POST', path: () => `/groups/${aGroupId}/members` },
    { method: 'PUT', path: () => `/accounts/${a.member.accountId}/role` },
    { method: 'PUT', path: () => `/accounts/${a.member.accountId}/active` },
    { method: 'POST', path: () => `/accounts/${a.member.accountId}/roles` },
    { method: 'POST', path: () => '/accounts' },
    // Account lifecycle (#14).
    { method: 'POST', path: () => `/accounts/${a.member.accountId}/lock` },
    { method: 'POST', path: () => `/accounts/${a.member.accountId}/ban` },
    { method: 'POST', path: () => `/accounts/${a.member.accountId}/mfa/reset` },
    { method: 'POST', path: () => `/accounts/${a.member.accountId}/impersonate` },
    { method: 'PATCH', path: () => `/accounts/${a.member.accountId}` },
    { method: 'PUT', path: () => '/policy' },
    { method: 'POST', path: () => '/roles' },
    { method: 'PATCH', path: () => '/roles/a_role' },
    { method: 'PATCH', path: () => `/groups/${aGroupId}` },
    { method: 'POST', path: () => '/authorize' },
    { method: 'POST', path: () => '/authorize/batch' },
    { method: 'POST', path: () => '/authorize/filter' },
    // Audit (#15).
    { method: 'PATCH', path: () => '/audit-settings' },
    // Applications (#18).
    { method: 'POST', path: () => '/applications' },
    { method: 'PATCH', path: () => `/applications/${aApp.id}` },
  ];

  const junk: unknown[] = [
    null,
    [],
    [1, 2],
    'string',
    42,
    true,
    {},
    { __proto: 1 },
    { name: null, email: null, role: null, active: null, provider: null, account_id: null, action: null },
    { name: 7, email: 7, role: 7, active: 'yes', providers: 'all', account_id: 7, action: 7, version: '1' },
    {
      name: 'x'.repeat(10_000),
      email: `${'x'.repeat(300)}@example.com`,
      role: 'r'.repeat(100),
      action: 'a'.repeat(500),
    },
    { theme: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'v'])) },
    { permissions: Array.from({ length: 600 }, () => 'a.b') },
    { version: 1, resources: { account: 'x' }, roles: [] },
    {
      version: 1,
      resources: {},
      roles: {},
      rules: [{ effect: 'allow', actions: [], condition: { and: [] } }],
    },
    {
      resource: {
        type: 'account',
        attributes: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`a${i}`, i])),
      },
    },
  ];

  it('wrong-typed, oversized and nonsensical JSON bodies are 4xx problems on every body route', async () => {
    for (const route of bodyRoutes()) {
      for (const body of junk) {
        const response = await api(route.method, route.path(), {
          token: a.owner.token,
          raw: JSON.stringify(body),
        });
        expectProblemCode(response, `${route.method} ${route.path()} ${JSON.stringify(body).slice(0, 80)}`);
      }
    }
  });

  it('malformed JSON is 400, another media type 415, a body over the limit 413', async () => {
    for (const route of bodyRoutes()) {
      const label = `${route.method} ${route.path()}`;
      expectProblem(
        await api(route.method, route.path(), { apiKey: a.apiKey, raw: '{"name": ' }),
        400,
        'bad_request',
      );
      expectProblem(await api(route.method, route.path(), { apiKey: a.apiKey, raw: '' }), 400, 'bad_request');
      expectProblem(
        await api(route.method, route.path(), {
          apiKey: a.apiKey,
          raw: '<x/>',
          contentType: 'application/xml',
        }),
        415,
        'unsupported_media_type',
      );
      const huge = await api(route.method, route.path(), {
        apiKey: a.apiKey,
        raw: JSON.stringify({ name: 'x'.repeat(70_000) }),
      });
      expect(huge.status, label).toBe(413);
      expect(huge.body.code, label).toBe('payload_too_large');
      const poisoned = await api(route.method, route.path(), {
        apiKey: a.apiKey,
        raw: '{"__proto__": {"role": "owner"}}',
      });
      expectProblemCode(poisoned, label);
    }
  });

  it('bad query strings are 400 on every list route', async () => {
    for (const path of [
      '/groups',
      '/accounts',
      '/api-keys',
      `/accounts/${a.member.accountId}/sessions`,
      `/groups/${aGroupId}/members`,
      `/tenants/${a.tenant.id}/invites`,
    ]) {
      for (const query of [
        'limit=-1',
        'limit=1e3',
        'limit=',
        `cursor=${'x'.repeat(600)}`,
        'cursor=%E0%A4%A',
      ]) {
        expectProblemCode(await api('GET', `${path}?${query}`, { apiKey: a.apiKey }), `${path}?${query}`);
      }
    }
    expectProblemCode(await api('GET', '/directory/tenants/resolve?code[]=x'), 'resolve with an array');
  });

  it('If-Match that is too long or a list of junk never breaks PUT /policy', async () => {
    const policy = expectOk(await api('GET', '/policy', { token: a.owner.token }));
    for (const ifMatch of ['x'.repeat(300), '"a", "b", W/"c"', ',,,']) {
      const response = await api('PUT', '/policy', {
        token: a.owner.token,
        body: policy.document,
        headers: { 'if-match': ifMatch },
      });
      expectProblemCode(response, ifMatch);
    }
  });
});
