// Machine clients (#18) over HTTP on PostgreSQL: applications (secret once, hashed, rotation, scopes within
// reach), the client credentials grant (RFC 6749 §4.4) with OAuth errors, introspection (RFC 7662) and
// revocation (RFC 7009), and tenant isolation throughout.
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectOk, expectProblem, type SeededTenant, seedTenant } from './admin-setup.js';
import { type ApiResponse, startServer } from './harness.js';
import { enforcerClientToken } from './machine-client-example.js';

const server = await startServer();
const { api } = server;
let a: SeededTenant;
let b: SeededTenant;

const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A form-encoded POST, as OAuth clients send them. */
const form = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  api('POST', path, {
    raw: new URLSearchParams(params).toString(),
    contentType: 'application/x-www-form-urlencoded',
    headers,
  });

const tokenFor = (app: { client_id: string }, secret: string, params: Record<string, string> = {}) =>
  form(
    '/oauth/token',
    { grant_type: 'client_credentials', ...params },
    { authorization: basic(app.client_id, secret) },
  );

/** An OAuth error (RFC 6749 §5.2): JSON `{ error, error_description }`, never a problem document. */
function expectOAuthError(response: ApiResponse, status: 400 | 401, error: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.body).toMatchObject({ error, error_description: expect.any(String) });
  expect(response.body.code).toBeUndefined();
  expect(response.headers.get('cache-control')).toBe('no-store');
  if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
}

interface CreatedApp {
  id: string;
  client_id: string;
  client_secret: string;
  scopes: string[];
}

const createApp = async (t: SeededTenant, scopes = ['transfers.create', 'accounts.read'], name = 'billing') =>
  expectOk<CreatedApp>(
    await api('POST', '/applications', { token: t.owner.token, body: { name, scopes } }),
    201,
  );

beforeAll(async () => {
  a = await seedTenant(server, 'Tenant A');
  b = await seedTenant(server, 'Tenant B');
});

describe('applications', () => {
  it('registers an application: client secret shown once, stored as a SHA-256, audited', async () => {
    const app = await createApp(a);
    expect(app.client_id).toMatch(/^enfapp_[A-Za-z0-9_-]{22}$/);
    expect(app.client_secret).toMatch(/^enfsec_[A-Za-z0-9_-]{43}$/);
    expect(app).toMatchObject({
      name: 'billing',
      scopes: ['transfers.create', 'accounts.read'],
      secret_prefix: app.client_secret.slice(0, 15),
      last_used_at: null,
    });
    const row = await server.db.records('applications').one(app.id);
    expect(row.secretHash).toBe(createHash('sha256').update(app.client_secret).digest('base64url'));
    expect(JSON.stringify(row)).not.toContain(app.client_secret);
    const [event] = await server.db.auditEvents({ action: 'application.created', targetId: app.id });
    expect(event).toMatchObject({ actorType: 'account', actorId: a.owner.accountId });
    expect(JSON.stringify(event!.details)).not.toContain(app.client_secret);

    // Never shown again: not in the list, not in the record.
    const listed = expectOk(await api('GET', '/applications', { apiKey: a.apiKey }));
    expect(JSON.stringify(listed)).not.toContain(app.client_secret);
    expect(listed.data.map((x: { id: string }) => x.id)).toContain(app.id);
    const one = expectOk(await api('GET', `/applications/${app.id}`, { token: a.admin.token }));
    expect(one.client_secret).toBeUndefined();
    expect(one.client_id).toBe(app.client_id);
  });

  it("refuses scopes that are not actions of the tenant's policy (400) or beyond the caller's reach (403)", async () => {
    const unknown = expectProblem(
      await api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 'x', scopes: ['accounts.read', 'nonsense.thing'] },
      }),
      400,
      'validation_failed',
    );
    expectFieldError(unknown, 'body.scopes.1');
    // The admin role does not hold transfers.* (the `verified` group does).
    const beyond = expectProblem(
      await api('POST', '/applications', {
        token: a.admin.token,
        body: { name: 'x', scopes: ['transfers.create'] },
      }),
      403,
      'forbidden',
    );
    expect(beyond.detail).toContain('transfers.create');
    expectProblem(
      await api('POST', '/applications', {
        token: a.owner.token,
        body: { name: 'x', scopes: ['transfers.*'] },
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('POST', '/applications', { token: a.owner.token, body: { name: 'x', scopes: [] } }),
      400,
      'validation_failed',
    );
  });

  it('needs applications.manage to write and applications.read to read (a member has neither)', async () => {
    const app = await createApp(a);
    expectProblem(
      await api('POST', '/applications', {
        token: a.member.token,
        body: { name: 'x', scopes: ['accounts.read'] },
      }),
      403,
      'forbidden',
    );
    expectProblem(await api('GET', '/applications', { token: a.member.token }), 403, 'forbidden');
    expectProblem(await api('GET', `/applications/${app.id}`, { token: a.member.token }), 403, 'forbidden');
    expectProblem(
      await api('POST', `/applications/${app.id}/rotate-secret`, { token: a.member.token }),
      403,
      'forbidden',
    );
    expectProblem(await api('GET', '/applications'), 401, 'unauthenticated');
  });

  it('PATCH renames and changes scopes, within reach', async () => {
    const app = await createApp(a);
    const updated = expectOk(
      await api('PATCH', `/applications/${app.id}`, {
        token: a.admin.token,
        body: { name: 'billing v2', scopes: ['accounts.read'] },
      }),
    );
    expect(updated).toMatchObject({ name: 'billing v2', scopes: ['accounts.read'] });
    // Adding back what the admin does not hold is refused; nothing changed.
    expectProblem(
      await api('PATCH', `/applications/${app.id}`, {
        token: a.admin.token,
        body: { scopes: ['accounts.read', 'transfers.create'] },
      }),
      403,
      'forbidden',
    );
    expect(expectOk(await api('GET', `/applications/${app.id}`, { token: a.admin.token })).scopes).toEqual([
      'accounts.read',
    ]);
    expectProblem(
      await api('PATCH', `/applications/${app.id}`, { token: a.admin.token, body: {} }),
      400,
      'validation_failed',
    );
  });

  it("another tenant's application is a 404 for every route", async () => {
    const app = await createApp(b);
    for (const [method, path, body] of [
      ['GET', `/applications/${app.id}`, undefined],
      ['PATCH', `/applications/${app.id}`, { name: 'mine' }],
      ['DELETE', `/applications/${app.id}`, undefined],
      ['POST', `/applications/${app.id}/rotate-secret`, undefined],
    ] as const) {
      expectProblem(await api(method, path, { token: a.owner.token, body }), 404, 'not_found');
    }
    expect(
      JSON.stringify(expectOk(await api('GET', '/applications', { token: a.owner.token }))),
    ).not.toContain(app.id);
    // Still there, unchanged, for its own tenant.
    expect(expectOk(await api('GET', `/applications/${app.id}`, { token: b.owner.token })).name).toBe(
      'billing',
    );
  });
});

describe('POST /oauth/token (client credentials)', () => {
  it('issues a short-lived JWT that says it is a client: sub = client id, no person, its scopes', async () => {
    const app = await createApp(a);
    const response = await tokenFor(app, app.client_secret);
    const body = expectOk(response);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'transfers.create accounts.read' });
    expect(body.expires_in).toBeGreaterThan(0);
    expect(body.expires_in).toBeLessThanOrEqual(3600);
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      sub: app.client_id,
      client_id: app.client_id,
      kind: 'client',
      tenant_id: a.tenant.id,
      scope: 'transfers.create accounts.read',
    });
    expect(claims.person_id).toBeUndefined();
    expect(claims.sid).toBeUndefined();
    expect(claims.roles).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(body.expires_in);
    const [event] = await server.db.auditEvents({ action: 'application.token.issued', targetId: app.id });
    expect(event).toMatchObject({ actorType: 'application', actorId: app.id, tenantId: a.tenant.id });
    expect(JSON.stringify(event!.details)).not.toContain(body.access_token);
    expect(expectOk(await api('GET', `/applications/${app.id}`, { apiKey: a.apiKey })).last_used_at).toEqual(
      expect.any(String),
    );
  });

  it('takes client_secret_post as well, and a narrower scope', async () => {
    const app = await createApp(a);
    const body = expectOk(
      await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: app.client_id,
        client_secret: app.client_secret,
        scope: 'accounts.read',
      }),
    );
    expect(body.scope).toBe('accounts.read');
    expect(decodeJwt(body.access_token).scope).toBe('accounts.read');
  });

  it('a client token is not a user credential: the admin API refuses it', async () => {
    const app = await createApp(a);
    const { access_token } = expectOk(await tokenFor(app, app.client_secret));
    expectProblem(await api('GET', '/applications', { token: access_token }), 401, 'token_invalid');
    expectProblem(await api('GET', '/auth/me', { token: access_token }), 401, 'token_invalid');
  });

  it('wrong or missing client credentials are 401 invalid_client, unknown ids alike', async () => {
    const app = await createApp(a);
    expectOAuthError(await tokenFor(app, `${app.client_secret.slice(0, -1)}x`), 401, 'invalid_client');
    expectOAuthError(
      await tokenFor({ client_id: 'enfapp_AAAAAAAAAAAAAAAAAAAAAA' }, app.client_secret),
      401,
      'invalid_client',
    );
    expectOAuthError(await form('/oauth/token', { grant_type: 'client_credentials' }), 401, 'invalid_client');
    expectOAuthError(
      await form('/oauth/token', { grant_type: 'client_credentials', client_id: app.client_id }),
      401,
      'invalid_client',
    );
    // An API key is not an application.
    expectOAuthError(
      await form(
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: `Bearer ${a.apiKey}` },
      ),
      401,
      'invalid_client',
    );
    const [failed] = await server.db.auditEvents({ action: 'application.token.failed', targetId: app.id });
    expect(failed).toMatchObject({ outcome: 'failure', tenantId: a.tenant.id });
  });

  it('refuses scope escalation (invalid_scope), other grants, repeated and missing parameters, JSON bodies', async () => {
    const app = await createApp(a, ['accounts.read']);
    expectOAuthError(
      await tokenFor(app, app.client_secret, { scope: 'accounts.read transfers.create' }),
      400,
      'invalid_scope',
    );
    expectOAuthError(await tokenFor(app, app.client_secret, { scope: 'accounts.*' }), 400, 'invalid_scope');
    expectOAuthError(
      await form(
        '/oauth/token',
        { grant_type: 'password' },
        { authorization: basic(app.client_id, app.client_secret) },
      ),
      400,
      'unsupported_grant_type',
    );
    expectOAuthError(
      await form('/oauth/token', {}, { authorization: basic(app.client_id, app.client_secret) }),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await api('POST', '/oauth/token', {
        raw: 'grant_type=client_credentials&grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
        headers: { authorization: basic(app.client_id, app.client_secret) },
      }),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await api('POST', '/oauth/token', {
        body: { grant_type: 'client_credentials' },
        headers: { authorization: basic(app.client_id, app.client_secret) },
      }),
      400,
      'invalid_request',
    );
    // Two authentication methods at once.
    expectOAuthError(
      await tokenFor(app, app.client_secret, { client_id: app.client_id, client_secret: app.client_secret }),
      400,
      'invalid_request',
    );
  });

  it('rotating the secret invalidates the old one at once; deleting the application ends the new one', async () => {
    const app = await createApp(a);
    const rotated = expectOk(
      await api('POST', `/applications/${app.id}/rotate-secret`, { apiKey: a.apiKey }),
    );
    expect(rotated.client_secret).not.toBe(app.client_secret);
    expect(rotated.client_id).toBe(app.client_id);
    expect(rotated.secret_prefix).toBe(rotated.client_secret.slice(0, 15));
    expectOAuthError(await tokenFor(app, app.client_secret), 401, 'invalid_client');
    expectOk(await tokenFor(app, rotated.client_secret));
    const [event] = await server.db.auditEvents({ action: 'application.secret_rotated', targetId: app.id });
    expect(event).toMatchObject({ actorType: 'api_key', actorId: a.apiKeyId });

    expect((await api('DELETE', `/applications/${app.id}`, { token: a.owner.token })).status).toBe(204);
    expectOAuthError(await tokenFor(app, rotated.client_secret), 401, 'invalid_client');
    expectProblem(await api('GET', `/applications/${app.id}`, { token: a.owner.token }), 404, 'not_found');
  });
});

describe('the Node client of docs/machine-clients.md', () => {
  it('gets a token, reuses it until near expiry, and reports OAuth errors', async () => {
    const app = await createApp(a);
    const token = enforcerClientToken({
      baseUrl: server.baseUrl,
      clientId: app.client_id,
      clientSecret: app.client_secret,
      scope: 'accounts.read',
    });
    const first = await token();
    expect(decodeJwt(first)).toMatchObject({ sub: app.client_id, kind: 'client', scope: 'accounts.read' });
    expect(await token()).toBe(first);
    const wrong = enforcerClientToken({
      baseUrl: server.baseUrl,
      clientId: app.client_id,
      clientSecret: 'enfsec_x',
    });
    await expect(wrong()).rejects.toThrow(/invalid_client/);
  });
});

describe('POST /oauth/introspect and /oauth/revoke', () => {
  const introspect = (token: string, auth: Record<string, string>, extra: Record<string, string> = {}) =>
    form('/oauth/introspect', { token, ...extra }, auth);
  const revoke = (token: string, auth: Record<string, string>, extra: Record<string, string> = {}) =>
    form('/oauth/revoke', { token, ...extra }, auth);

  it("introspects a client token for an API key or an application of its tenant; another tenant's sees active:false", async () => {
    const app = await createApp(a);
    const { access_token } = expectOk(await tokenFor(app, app.client_secret));
    const byKey = expectOk(await introspect(access_token, { 'x-api-key': a.apiKey }));
    expect(byKey).toMatchObject({
      active: true,
      token_type: 'access_token',
      token_kind: 'client',
      client_id: app.client_id,
      sub: app.client_id,
      tenant_id: a.tenant.id,
      scope: 'transfers.create accounts.read',
    });
    const other = await createApp(a, ['accounts.read'], 'reporting');
    expect(
      expectOk(await introspect(access_token, { authorization: basic(other.client_id, other.client_secret) }))
        .active,
    ).toBe(true);
    // Tenant B's key and application learn nothing about tenant A's token.
    expect(expectOk(await introspect(access_token, { 'x-api-key': b.apiKey }))).toEqual({ active: false });
    const appB = await createApp(b);
    expect(
      expectOk(await introspect(access_token, { authorization: basic(appB.client_id, appB.client_secret) })),
    ).toEqual({ active: false });
  });

  it("introspects an account's access and refresh tokens, and garbage as active:false", async () => {
    const session = await server.signIn({ accountId: a.member.accountId });
    const access = expectOk(await introspect(session.accessToken, { 'x-api-key': a.apiKey }));
    expect(access).toMatchObject({
      active: true,
      token_type: 'access_token',
      token_kind: 'account',
      sub: a.member.accountId,
      tenant_id: a.tenant.id,
    });
    expect(access.client_id).toBeUndefined();
    const refresh = expectOk(
      await introspect(session.refreshToken, { 'x-api-key': a.apiKey }, { token_type_hint: 'refresh_token' }),
    );
    expect(refresh).toMatchObject({ active: true, token_type: 'refresh_token', sub: a.member.accountId });
    expect(expectOk(await introspect(session.refreshToken, { 'x-api-key': b.apiKey }))).toEqual({
      active: false,
    });
    for (const junk of ['nope', 'ert_unknown', 'a.b.c', `${session.accessToken}x`]) {
      expect(expectOk(await introspect(junk, { 'x-api-key': a.apiKey }))).toEqual({ active: false });
    }
  });

  it('needs a credential: none, a wrong key or a wrong secret is 401 invalid_client; no token is invalid_request', async () => {
    const app = await createApp(a);
    expectOAuthError(await introspect('x', {}), 401, 'invalid_client');
    expectOAuthError(await introspect('x', { 'x-api-key': 'enf_wrong' }), 401, 'invalid_client');
    expectOAuthError(
      await introspect('x', { authorization: basic(app.client_id, 'enfsec_wrong') }),
      401,
      'invalid_client',
    );
    expectOAuthError(await form('/oauth/introspect', {}, { 'x-api-key': a.apiKey }), 400, 'invalid_request');
    // A user's access token is not a credential for introspection.
    expectOAuthError(
      await introspect('x', { authorization: `Bearer ${a.owner.token}` }),
      401,
      'invalid_client',
    );
  });

  it('refuses a form body that is not percent-encoded UTF-8 (400), never reading it with U+FFFD in place', async () => {
    for (const raw of ['token=a%FF%FEb', 'token=%ED%A0%80', 'token=100%', 'to%C3ken=x']) {
      for (const path of ['/oauth/introspect', '/oauth/revoke', '/oauth/token']) {
        const answer = await api('POST', path, {
          raw,
          contentType: 'application/x-www-form-urlencoded',
          headers: { 'x-api-key': a.apiKey },
        });
        expect(answer.status, `${path} ${raw}`).toBe(400);
        expect(answer.body.code, `${path} ${raw}`).toBe('bad_request');
      }
    }
    // Well-formed escapes of real UTF-8 are read as such.
    const fine = await api('POST', '/oauth/introspect', {
      raw: 'token=%C3%A9t%C3%A9+x',
      contentType: 'application/x-www-form-urlencoded',
      headers: { 'x-api-key': a.apiKey },
    });
    expect(fine.status).toBe(200);
    expect(fine.body).toEqual({ active: false });
  });

  it("a deleted application's tokens introspect as inactive", async () => {
    const app = await createApp(a);
    const { access_token } = expectOk(await tokenFor(app, app.client_secret));
    expect(expectOk(await introspect(access_token, { 'x-api-key': a.apiKey })).active).toBe(true);
    expect((await api('DELETE', `/applications/${app.id}`, { token: a.owner.token })).status).toBe(204);
    expect(expectOk(await introspect(access_token, { 'x-api-key': a.apiKey }))).toEqual({ active: false });
  });

  it('revokes a client token (by itself or an API key), answering 200 for anything', async () => {
    const app = await createApp(a);
    const first = expectOk(await tokenFor(app, app.client_secret)).access_token;
    const second = expectOk(await tokenFor(app, app.client_secret)).access_token;
    const auth = { authorization: basic(app.client_id, app.client_secret) };
    const done = await revoke(first, auth);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({});
    expect(expectOk(await introspect(first, { 'x-api-key': a.apiKey }))).toEqual({ active: false });
    expect(expectOk(await introspect(second, { 'x-api-key': a.apiKey })).active).toBe(true);
    // Revoking again, or garbage: still 200.
    expect((await revoke(first, auth)).status).toBe(200);
    expect((await revoke('garbage', auth)).status).toBe(200);
    // Another application of the tenant cannot revoke it; tenant B's key cannot either; A's key can.
    const other = await createApp(a, ['accounts.read'], 'other');
    expect(
      (await revoke(second, { authorization: basic(other.client_id, other.client_secret) })).status,
    ).toBe(200);
    expect((await revoke(second, { 'x-api-key': b.apiKey })).status).toBe(200);
    expect(expectOk(await introspect(second, { 'x-api-key': a.apiKey })).active).toBe(true);
    expect((await revoke(second, { 'x-api-key': a.apiKey })).status).toBe(200);
    expect(expectOk(await introspect(second, { 'x-api-key': a.apiKey }))).toEqual({ active: false });
    const [event] = await server.db.auditEvents({ action: 'application.token.revoked', targetId: app.id });
    expect(event).toMatchObject({ tenantId: a.tenant.id });
    expectOAuthError(
      await revoke(second, auth, { token_type_hint: 'id_token' }),
      400,
      'unsupported_token_type',
    );
  });

  it("revokes an account's refresh token with an API key of its tenant: the session ends", async () => {
    const session = await server.signIn({ accountId: a.member.accountId });
    // Tenant B's key: 200, and nothing happens.
    expect((await revoke(session.refreshToken, { 'x-api-key': b.apiKey })).status).toBe(200);
    expect(expectOk(await introspect(session.refreshToken, { 'x-api-key': a.apiKey })).active).toBe(true);
    // An application of tenant A was never issued it: 200, nothing happens.
    const app = await createApp(a);
    expect(
      (await revoke(session.refreshToken, { authorization: basic(app.client_id, app.client_secret) })).status,
    ).toBe(200);
    expect(expectOk(await introspect(session.refreshToken, { 'x-api-key': a.apiKey })).active).toBe(true);

    expect((await revoke(session.refreshToken, { 'x-api-key': a.apiKey })).status).toBe(200);
    expect(expectOk(await introspect(session.refreshToken, { 'x-api-key': a.apiKey }))).toEqual({
      active: false,
    });
    expect(expectOk(await introspect(session.accessToken, { 'x-api-key': a.apiKey }))).toEqual({
      active: false,
    });
    expectProblem(
      await api('POST', '/auth/refresh', { body: { refresh_token: session.refreshToken } }),
      401,
      expect.any(String) as never,
    );
    const row = await server.db.records('sessions').one(session.sessionId);
    expect(row.revokeReason).toBe('revoked_by_client');
  });
});

describe('client tokens in decisions (POST /authorize, /authorize/batch, /authorize/filter)', () => {
  const accountRecord = (t: SeededTenant) => ({
    type: 'account',
    attributes: { id: t.member.accountId, tenant_id: t.tenant.id },
  });

  it('decide for the application: its scopes are its grants, nothing else, in its own tenant only', async () => {
    const app = await createApp(a);
    const { access_token } = expectOk(await tokenFor(app, app.client_secret));
    const decide = async (body: unknown) =>
      expectOk(await api('POST', '/authorize', { token: access_token, body }));
    expect(await decide({ action: 'transfers.create' })).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_scope', scope: 'transfers.create' },
    });
    expect(await decide({ action: 'groups.create' })).toEqual({
      allowed: false,
      reason: { kind: 'no_matching_allow' },
    });
    expect((await decide({ action: 'accounts.read', resource: accountRecord(a) })).allowed).toBe(true);
    expect(await decide({ action: 'accounts.read', resource: accountRecord(b) })).toEqual({
      allowed: false,
      reason: { kind: 'tenant_mismatch' },
    });
    const batch = expectOk(
      await api('POST', '/authorize/batch', {
        token: access_token,
        body: { checks: [{ action: 'transfers.create' }, { action: 'policy.update' }] },
      }),
    );
    expect(batch.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([true, false]);
    const filter = expectOk(
      await api('POST', '/authorize/filter', {
        token: access_token,
        body: { action: 'accounts.read', resource_type: 'account' },
      }),
    );
    expect(filter.plan).toMatchObject({ decision: 'always', tenant: { value: a.tenant.id } });
    // Deciding for an account of the tenant needs `authorize.any`, which this application was not given.
    expectProblem(
      await api('POST', '/authorize', {
        token: access_token,
        body: { action: 'accounts.read', account_id: a.member.accountId },
      }),
      403,
      'forbidden',
    );
  });

  it('the server decides with the application as it is now: removed scopes, revoked tokens and deleted applications stop at once', async () => {
    const app = await createApp(a);
    const { access_token } = expectOk(await tokenFor(app, app.client_secret));
    expectOk(
      await api('PATCH', `/applications/${app.id}`, {
        token: a.owner.token,
        body: { scopes: ['accounts.read'] },
      }),
    );
    expect(
      expectOk(
        await api('POST', '/authorize', { token: access_token, body: { action: 'transfers.create' } }),
      ),
    ).toEqual({
      allowed: false,
      reason: { kind: 'no_matching_allow' },
    });
    expect((await form('/oauth/revoke', { token: access_token }, { 'x-api-key': a.apiKey })).status).toBe(
      200,
    );
    expectProblem(
      await api('POST', '/authorize', { token: access_token, body: { action: 'accounts.read' } }),
      401,
      'token_invalid',
    );
    const next = expectOk(await tokenFor(app, app.client_secret)).access_token;
    expectOk(await api('POST', '/authorize', { token: next, body: { action: 'accounts.read' } }));
    expect((await api('DELETE', `/applications/${app.id}`, { token: a.owner.token })).status).toBe(204);
    expectProblem(
      await api('POST', '/authorize', { token: next, body: { action: 'accounts.read' } }),
      401,
      'token_invalid',
    );
  });

  it('policies see subject.kind: a deny rule for clients leaves accounts (kind "account") alone', async () => {
    const c = await seedTenant(server, 'Tenant C');
    const current = await api('GET', '/policy', { token: c.owner.token });
    const { document } = expectOk(current);
    const denyClients = {
      id: 'clients-never-read-accounts',
      effect: 'deny',
      actions: ['accounts.read'],
      resource: 'account',
      condition: { eq: ['subject.kind', 'client'] },
    };
    expectOk(
      await api('PUT', '/policy', {
        token: c.owner.token,
        headers: { 'if-match': current.headers.get('etag')! },
        body: { ...document, rules: [...(document.rules ?? []), denyClients] },
      }),
    );
    const app = await createApp(c, ['accounts.read']);
    const { access_token } = expectOk(await tokenFor(app, app.client_secret));
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: access_token,
          body: { action: 'accounts.read', resource: accountRecord(c) },
        }),
      ),
    ).toEqual({ allowed: false, reason: { kind: 'denied_by_rule', rule: 'clients-never-read-accounts' } });
    expect(
      expectOk(
        await api('POST', '/authorize', {
          token: c.admin.token,
          body: { action: 'accounts.read', resource: accountRecord(c) },
        }),
      ).allowed,
    ).toBe(true);
    const plan = expectOk(
      await api('POST', '/authorize/filter', {
        token: access_token,
        body: { action: 'accounts.read', resource_type: 'account' },
      }),
    ).plan;
    expect(plan.decision).toBe('never');
  });
});
