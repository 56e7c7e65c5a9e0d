import { createHash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose';
import { getResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createEnforcerMock, manualClock } from '../src/msw/index';
import { useMockEnforcer } from './harness';

const h = useMockEnforcer();
const api = (path: string) => `${h.mock.baseUrl}/api/v1/enforcer${path}`;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(api(path), {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function login(email = `m-${Math.random().toString(36).slice(2)}@example.com`, tenantCode?: string) {
  const code = tenantCode ?? h.mock.seed.tenant().code;
  const otp = await call('POST', '/auth/otp/request', { email, tenant_code: code });
  expect(otp.body.code).toBe(h.mock.lastOtp(email));
  const res = await call('POST', '/auth/login', {
    provider: 'email_otp',
    email,
    otp: otp.body.code,
    tenant_code: code,
  });
  expect(res.status).toBe(200);
  return res.body as {
    token: string;
    refresh_token: string;
    account: { id: string };
    tenant: { id: string };
  };
}

describe('access tokens', () => {
  it('are ES256 at+jwt in the server format and verify against the served JWKS', async () => {
    const tokens = await login();
    const header = decodeProtectedHeader(tokens.token);
    const jwks = (await call('GET', '/.well-known/jwks.json')).body as { keys: Record<string, string>[] };
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0]!.kid });
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    const { kid: _kid, alg: _alg, use: _use, ...publicJwk } = jwks.keys[0]!;
    expect(await calculateJwkThumbprint(publicJwk, 'sha256')).toBe(header.kid);
    const config = (await call('GET', '/.well-known/openid-configuration')).body as { issuer: string };
    const { payload } = await jwtVerify(tokens.token, createLocalJWKSet(jwks as never), {
      algorithms: ['ES256'],
      typ: 'at+jwt',
      issuer: config.issuer,
      audience: 'enforcer',
      currentDate: new Date(h.clock.now()),
    });
    expect(Object.keys(payload).sort()).toEqual(
      [
        'amr',
        'aud',
        'exp',
        'grant_version',
        'groups',
        'iat',
        'iss',
        'jti',
        'person_id',
        'roles',
        'sid',
        'sub',
        'tenant_id',
      ].sort(),
    );
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload.sub).toBe(tokens.account.id);
    expect(payload.tenant_id).toBe(tokens.tenant.id);
    expect(await h.mock.verifyAccessToken(tokens.token)).toMatchObject({ sub: tokens.account.id });
  });

  it('expired tokens are token_expired (after the 10 s tolerance); tampered ones token_invalid', async () => {
    const { token } = await login();
    h.clock.advance(905);
    expect((await call('GET', '/auth/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    h.clock.advance(10);
    const expired = await call('GET', '/auth/me', undefined, { authorization: `Bearer ${token}` });
    expect(expired.body).toMatchObject({ status: 401, code: 'token_expired' });
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect(
      (await call('GET', '/auth/me', undefined, { authorization: `Bearer ${tampered}` })).body.code,
    ).toBe('token_invalid');
  });
});

describe('refresh tokens', () => {
  it('rotate; a replay inside the grace window gets the same successor; a later replay revokes the family', async () => {
    const first = await login();
    const second = await call('POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    h.clock.advance(5);
    const again = await call('POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(again.body.refresh_token).toBe(second.body.refresh_token);
    h.clock.advance(6);
    const reused = await call('POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(reused.body).toMatchObject({ status: 401, code: 'refresh_token_reused' });
    const live = await call('POST', '/auth/refresh', { refresh_token: second.body.refresh_token });
    expect(live.body.code).toBe('refresh_token_invalid');
    const me = await call('GET', '/auth/me', undefined, { authorization: `Bearer ${second.body.token}` });
    expect(me.body.code).toBe('token_invalid');
  });

  it('a replay after the successor was used is reuse, even inside the window', async () => {
    const first = await login();
    const second = await call('POST', '/auth/refresh', { refresh_token: first.refresh_token });
    await call('POST', '/auth/refresh', { refresh_token: second.body.refresh_token });
    const reused = await call('POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(reused.body.code).toBe('refresh_token_reused');
  });

  it('garbage and unknown tokens are refresh_token_invalid', async () => {
    expect((await call('POST', '/auth/refresh', { refresh_token: 'nope' })).body.code).toBe(
      'refresh_token_invalid',
    );
    const unknown = `ert_${'A'.repeat(43)}`;
    expect((await call('POST', '/auth/refresh', { refresh_token: unknown })).body.code).toBe(
      'refresh_token_invalid',
    );
  });
});

describe('requests are checked like the server checks them', () => {
  it('validation, JSON, media type, unknown routes and methods', async () => {
    const strict = await call('POST', '/auth/otp/request', { email: 'a@example.com', tenantCode: 'x' });
    expect(strict.status).toBe(400);
    expect(strict.headers.get('content-type')).toBe('application/problem+json');
    expect(strict.body).toMatchObject({
      code: 'validation_failed',
      type: 'https://enforcer.dev/problems/validation-failed',
    });
    expect(strict.body.errors.map((e: { path: string }) => e.path)).toEqual(['body']);

    const email = await call('POST', '/auth/otp/request', { email: 'nope' });
    expect(email.body.errors).toEqual([{ path: 'body.email', message: expect.any(String) }]);
    expect((await call('POST', '/auth/otp/request', '{bad')).body.code).toBe('bad_request');
    const form = await fetch(api('/auth/otp/request'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(form.status).toBe(415);
    expect((await call('GET', '/nope')).body).toMatchObject({ status: 404, code: 'not_found' });
    const wrongMethod = await call('DELETE', '/auth/me');
    expect(wrongMethod.body.code).toBe('method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH');

    const { token } = await login();
    const badId = await call('GET', '/accounts/not-a-uuid', undefined, { authorization: `Bearer ${token}` });
    expect(badId.body.errors[0].path).toBe('params.id');
    const badLimit = await call('GET', '/auth/tenants?limit=1000', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(badLimit.body.errors[0].path).toBe('query.limit');
  });

  it('credentials: none, wrong kind, missing permission', async () => {
    expect((await call('GET', '/auth/me')).body.code).toBe('unauthenticated');
    const tenant = h.mock.seed.tenant();
    const key = h.mock.seed.apiKey({ tenant: tenant.id });
    const asKey = await call('GET', '/auth/me', undefined, { 'x-api-key': key.key });
    expect(asKey.body).toMatchObject({ status: 403, code: 'credential_not_allowed' });
    expect((await call('GET', '/groups', undefined, { authorization: `Bearer ${key.key}` })).status).toBe(
      200,
    );
    expect((await call('GET', '/groups', undefined, { 'x-api-key': 'enf_wrong' })).body.code).toBe(
      'invalid_credentials',
    );
    const member = await login(undefined, tenant.code);
    const denied = await call(
      'POST',
      '/groups',
      { name: 'vip' },
      { authorization: `Bearer ${member.token}` },
    );
    expect(denied.body).toMatchObject({ status: 403, code: 'forbidden' });
  });
});

describe('admin domains', () => {
  it('groups, accounts, roles, api keys, policy, authorize and filter', async () => {
    const tenant = h.mock.seed.tenant({ name: 'Admin Co' });
    const owner = h.mock.seed.account({ tenant: tenant.id, email: 'owner@example.com', role: 'owner' });
    const user = h.mock.seed.account({ tenant: tenant.id, email: 'user@example.com' });
    const session = await h.mock.signIn({ tenant: tenant.id, email: 'owner@example.com' });
    const auth = { authorization: `Bearer ${session.token}` };

    const created = await call('POST', '/api-keys', { name: 'server' }, auth);
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^enf_[A-Za-z0-9_-]{43}$/);
    const key = { 'x-api-key': created.body.key };
    expect((await call('GET', '/api-keys', undefined, key)).body.data[0]).not.toHaveProperty('key');

    const groups = await call('GET', '/groups', undefined, key);
    const verified = groups.body.data.find((g: { name: string }) => g.name === 'verified');
    const decide = () => call('POST', '/authorize', { action: 'transfers.create', account_id: user.id }, key);
    expect((await decide()).body).toEqual({ allowed: false, reason: { kind: 'no_matching_allow' } });
    const add = await call('POST', `/groups/${verified.id}/members`, { account_id: user.id }, key);
    expect(add.status).toBe(201);
    expect((await call('POST', `/groups/${verified.id}/members`, { account_id: user.id }, key)).status).toBe(
      200,
    );
    expect((await decide()).body).toEqual({
      allowed: true,
      reason: { kind: 'allowed_by_group', group: 'verified', permission: 'transfers.*' },
    });
    expect((await call('DELETE', `/groups/${verified.id}/members/${user.id}`, undefined, key)).status).toBe(
      204,
    );
    expect((await decide()).body.allowed).toBe(false);
    expect((await call('POST', '/groups', { name: 'verified' }, key)).body.code).toBe('conflict');

    const roles = await call('GET', '/roles', undefined, key);
    expect(roles.body.data.map((r: { name: string; built_in: boolean }) => [r.name, r.built_in])).toEqual([
      ['owner', true],
      ['admin', true],
      ['member', true],
    ]);
    const list = await call('GET', '/accounts?role=member', undefined, key);
    expect(list.body.data.map((a: { id: string }) => a.id)).toEqual([user.id]);
    // An admin key may not touch the owner (rank); the owner may not demote the last manager.
    expect((await call('PUT', `/accounts/${owner.id}/role`, { role: 'member' }, key)).body.code).toBe(
      'forbidden',
    );
    expect((await call('PUT', `/accounts/${owner.id}/role`, { role: 'member' }, auth)).body.code).toBe(
      'last_admin',
    );
    expect((await call('PUT', `/accounts/${user.id}/role`, { role: 'admin' }, key)).body.role).toBe('admin');

    const policy = await call('GET', '/policy', undefined, auth);
    expect(policy.body.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const stale = await call('PUT', '/policy', policy.body.document, { ...auth, 'if-match': '"stale"' });
    expect(stale.body.code).toBe('precondition_failed');
    const invalid = await call(
      'PUT',
      '/policy',
      { ...policy.body.document, rules: [{ effect: 'allow', actions: ['x.read'], resource: 'nope' }] },
      auth,
    );
    expect(invalid.body.code).toBe('invalid_policy');
    expect(invalid.body.errors[0].path).toMatch(/^body\.rules\[0\]/);
    const ok = await call('PUT', '/policy', policy.body.document, { ...auth, 'if-match': policy.body.etag });
    expect(ok.status).toBe(200);

    const plan = await call(
      'POST',
      '/authorize/filter',
      { action: 'accounts.read', resource_type: 'account' },
      auth,
    );
    expect(plan.body.plan).toMatchObject({ resource_type: 'account', decision: 'always' });
    const unknown = await call(
      'POST',
      '/authorize/filter',
      { action: 'x.read', resource_type: 'nope' },
      auth,
    );
    expect(unknown.body.code).toBe('unknown_resource_type');

    expect((await call('DELETE', `/api-keys/${created.body.id}`, undefined, auth)).status).toBe(204);
    expect((await call('GET', '/groups', undefined, key)).body.code).toBe('invalid_credentials');
  });

  it('the revocations feed reports ended sessions and changed grants', async () => {
    const tenant = h.mock.seed.tenant();
    const key = { 'x-api-key': h.mock.seed.apiKey({ tenant: tenant.id }).key };
    const first = await call('GET', '/revocations', undefined, key);
    expect(first.body).toMatchObject({ tenant_id: tenant.id, sessions: [], accounts: [], has_more: false });
    const session = await login(undefined, tenant.code);
    await call('POST', '/auth/logout', { refresh_token: session.refresh_token });
    h.mock.seed.addToGroup({ account: session.account.id, group: 'verified' });
    const next = await call('GET', `/revocations?cursor=${first.body.next_cursor}`, undefined, key);
    expect(next.body.sessions).toHaveLength(1);
    expect(next.body.accounts).toEqual([
      expect.objectContaining({ account_id: session.account.id, groups: ['verified'] }),
    ]);
  });
  it('a seeded change to an existing account is a grant change in the feed; a seeded new account is not', async () => {
    const tenant = h.mock.seed.tenant();
    const key = { 'x-api-key': h.mock.seed.apiKey({ tenant: tenant.id }).key };
    const start = await call('GET', '/revocations', undefined, key);
    const alice = h.mock.seed.account({
      tenant: tenant.id,
      email: 'alice-feed@example.com',
      groups: ['traders'],
    });
    const quiet = await call('GET', `/revocations?cursor=${start.body.next_cursor}`, undefined, key);
    expect(quiet.body.accounts).toEqual([]);
    h.mock.seed.account({ tenant: tenant.id, email: 'alice-feed@example.com', role: 'admin' });
    h.mock.seed.setActive({ account: alice.id, active: false });
    h.mock.seed.removeFromGroup({ account: alice.id, group: 'traders' });
    const changed = await call('GET', `/revocations?cursor=${quiet.body.next_cursor}`, undefined, key);
    expect(changed.body.accounts).toEqual([
      expect.objectContaining({
        account_id: alice.id,
        roles: ['admin'],
        active: false,
        groups: [],
        grant_version: 4,
      }),
    ]);
  });
});

describe('machine clients (#18)', () => {
  it('an application with keys gets a token with a client assertion (private_key_jwt), once per jti; the feed shows its revoked token', async () => {
    const tenant = h.mock.seed.tenant();
    const { key } = h.mock.seed.apiKey({ tenant: tenant.id, role: 'admin' });
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1' };
    const created = await call(
      'POST',
      '/applications',
      { name: 'worker', scopes: ['accounts.read'], jwks: { keys: [jwk] } },
      { 'x-api-key': key },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      secret_prefix: null,
    });
    expect(created.body.client_secret).toBeUndefined();
    const clientId: string = created.body.client_id;
    const issuer = (await call('GET', '/.well-known/openid-configuration')).body.issuer as string;
    const assertion = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(`${issuer}/oauth/token`)
      .setIssuedAt(Math.floor(h.clock.now() / 1000))
      .setExpirationTime(Math.floor(h.clock.now() / 1000) + 60)
      .sign(pair.privateKey);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString();
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const issued = await call('POST', '/oauth/token', form, formHeaders);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const replayed = await call('POST', '/oauth/token', form, formHeaders);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatchObject({ error: 'invalid_client' });

    const start = await call('GET', '/revocations', undefined, { 'x-api-key': key });
    const revoked = await call(
      'POST',
      '/oauth/revoke',
      new URLSearchParams({ token: issued.body.access_token }).toString(),
      { ...formHeaders, 'x-api-key': key },
    );
    expect(revoked.status).toBe(200);
    const feed = await call(
      'GET',
      `/revocations?cursor=${encodeURIComponent(start.body.next_cursor)}`,
      undefined,
      {
        'x-api-key': key,
      },
    );
    expect(feed.body.client_tokens).toEqual([
      { jti: expect.any(String), client_id: clientId, revoked_at: expect.any(String) },
    ]);
  });
});

describe('webhooks (#16)', () => {
  it("writes the server's webhook events through the core, with the change (none for a refused one)", async () => {
    const tenant = h.mock.seed.tenant({ name: 'Hooks Co' });
    const owner = h.mock.seed.account({ tenant: tenant.id, email: 'hooks-owner@example.com', role: 'owner' });
    const user = h.mock.seed.account({ tenant: tenant.id, email: 'hooks-user@example.com' });
    const session = await h.mock.signIn({ tenant: tenant.id, email: 'hooks-owner@example.com' });
    const auth = { authorization: `Bearer ${session.token}` };
    const hook = await call(
      'POST',
      '/webhooks/endpoints',
      { url: 'https://hooks.example/x', event_types: ['*'] },
      auth,
    );
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_/);
    const group = h.mock.seed.group({ tenant: tenant.id, name: 'traders' });
    expect((await call('POST', `/groups/${group.id}/members`, { account_id: user.id }, auth)).status).toBe(
      201,
    );
    // Refused (no such role): no event.
    expect(
      (await call('POST', '/api-keys', { name: 'x', role: 'nope' }, auth)).status,
    ).toBeGreaterThanOrEqual(400);
    const events = h.mock.webhookEvents(tenant.id).filter((e) => e.type !== 'session.created');
    expect(events).toEqual([
      expect.objectContaining({
        type: 'group.member_added',
        tenant_id: tenant.id,
        data: { group_id: group.id, group: 'traders', account_id: user.id },
      }),
    ]);
    expect(owner.id).toBeDefined();
  });
});

describe('KYC (#16)', () => {
  const transfers = async (token: string) =>
    (await call('POST', '/authorize', { action: 'transfers.create' }, { authorization: `Bearer ${token}` }))
      .body.allowed as boolean;

  it('mock.kyc.approve decides the latest session through the core: the group unlocks transfers, reject takes it back', async () => {
    const tenant = h.mock.seed.tenant();
    const key = { 'x-api-key': h.mock.seed.apiKey({ tenant: tenant.id }).key };
    const user = await login(undefined, tenant.code);
    const auth = { authorization: `Bearer ${user.token}` };
    expect((await call('POST', '/kyc/sessions', {}, auth)).body.code).toBe('module_disabled');
    expect(
      (
        await call(
          'PUT',
          `/tenants/${tenant.id}/modules/kyc`,
          { enabled: true, provider: 'development' },
          key,
        )
      ).status,
    ).toBe(200);
    const session = await call('POST', '/kyc/sessions', {}, auth);
    expect(session.status).toBe(201);
    expect(session.body.url).toMatch(new RegExp(`^${h.mock.baseUrl}/api/v1/enforcer/kyc/dev/`));
    expect(await transfers(user.token)).toBe(false);
    await h.mock.kyc.approve(user.account.id);
    expect(await transfers(user.token)).toBe(true);
    expect((await call('GET', '/kyc/status', undefined, auth)).body).toMatchObject({
      status: 'approved',
      level: 'verified',
    });
    await h.mock.kyc.reject(user.account.id);
    expect(await transfers(user.token)).toBe(false);
    await expect(
      h.mock.kyc.approve(h.mock.seed.account({ tenant: tenant.id, email: 'none@example.com' }).id),
    ).rejects.toThrow(/no KYC session/);
  });

  it('takes Persona webhooks signed with the tenant secret, over the exact bytes, once per event id', async () => {
    const { createHmac } = await import('node:crypto');
    const tenant = h.mock.seed.tenant();
    const key = { 'x-api-key': h.mock.seed.apiKey({ tenant: tenant.id }).key };
    const user = await login(undefined, tenant.code);
    const secret = 'wbhsec_mock_secret';
    await call(
      'PUT',
      `/tenants/${tenant.id}/modules/kyc`,
      { enabled: true, provider: 'persona', template_id: 'itmpl_1', webhook_secret: secret },
      key,
    );
    const session = await call('POST', '/kyc/sessions', {}, { authorization: `Bearer ${user.token}` });
    const body = JSON.stringify(
      {
        data: {
          id: 'evt_mock_1',
          attributes: {
            name: 'inquiry.approved',
            payload: { data: { attributes: { 'reference-id': session.body.id } } },
          },
        },
      },
      null,
      1,
    );
    const t = Math.floor(h.clock.now() / 1000);
    const sign = (s: string, at = t) =>
      `t=${at},v1=${createHmac('sha256', s).update(`${at}.${body}`).digest('hex')}`;
    const send = (signature: string) =>
      call('POST', '/kyc/webhooks/persona', body, {
        'content-type': 'application/json',
        'persona-signature': signature,
      });
    expect((await send(sign('wbhsec_other'))).body.code).toBe('webhook_signature_invalid');
    expect((await send(sign(secret, t - 301))).status).toBe(401);
    expect((await send(sign(secret))).body).toEqual({ result: 'processed' });
    expect((await send(sign(secret))).body).toEqual({ result: 'duplicate' });
    expect(await transfers(user.token)).toBe(true);
  });
});

describe('runtime', () => {
  it('refuses at once, saying why, msw 3 on a runtime it does not run on (Node.js before 22.12)', () => {
    // The workspace's msw is 3; Promise.withResolvers missing is what Node.js 20 looks like to it.
    vi.stubGlobal('Promise', Object.assign(class extends Promise<unknown> {}, { withResolvers: undefined }));
    try {
      expect(() => createEnforcerMock()).toThrow(
        /msw 3\.\d+\.\d+ needs Node\.js 22\.12 or later, or a current browser .*install msw 2 instead \(msw@\^2\.15\.0\)/,
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(() => createEnforcerMock()).not.toThrow();
    // msw 2 on Node.js 20 is accepted: test/packaging/check.sh runs the mock there, from the packed tarballs.
  });
});

describe('deletion jobs (#15)', () => {
  const PLATFORM_KEY = `enfp_${'d'.repeat(43)}`;
  const make = () => {
    const clock = manualClock();
    const mock = createEnforcerMock({
      clock,
      baseUrl: 'http://jobs.test',
      tenantDeletionGrace: 86_400,
      platformKeys: [
        {
          name: 'ops',
          hash: createHash('sha256').update(PLATFORM_KEY).digest('hex'),
          scopes: ['platform.tenants.read', 'platform.tenants.delete'],
        },
      ],
    });
    const ask = async (
      method: string,
      path: string,
      auth: { token?: string; apiKey?: string } = {},
      body?: unknown,
    ) => {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (auth.token) headers.authorization = `Bearer ${auth.token}`;
      if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
      const response = await getResponse(
        mock.handlers,
        new Request(`http://jobs.test/api/v1/enforcer${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
      const text = (await response?.text()) ?? '';
      return { status: response?.status, body: text ? JSON.parse(text) : undefined };
    };
    return { clock, mock, ask };
  };

  it('deletes a tenant once its grace has passed, through the core, when the test runs the jobs', async () => {
    const { clock, mock, ask } = make();
    const doomed = mock.seed.tenant({ name: 'Doomed' });
    const kept = mock.seed.tenant({ name: 'Kept' });
    mock.seed.account({ tenant: doomed.id, email: 'only-here@example.com' });
    mock.seed.account({ tenant: kept.id, email: 'stays@example.com' });
    expect((await ask('DELETE', `/platform/tenants/${doomed.id}`, { apiKey: PLATFORM_KEY })).status).toBe(
      202,
    );

    // Before the grace has passed, a run deletes nothing.
    expect(await mock.runDeletionJobs()).toEqual({ tenantsDeleted: 0, personsErased: 0 });
    expect((await ask('GET', `/platform/tenants/${doomed.id}`, { apiKey: PLATFORM_KEY })).body).toMatchObject(
      {
        status: 'pending_deletion',
      },
    );
    clock.advance(86_400 + 1);
    expect(await mock.runDeletionJobs()).toEqual({ tenantsDeleted: 1, personsErased: 0 });
    expect((await ask('GET', `/platform/tenants/${doomed.id}`, { apiKey: PLATFORM_KEY })).status).toBe(404);
    expect((await ask('GET', `/platform/tenants/${kept.id}`, { apiKey: PLATFORM_KEY })).body).toMatchObject({
      status: 'active',
    });
    await expect(mock.signIn({ tenant: kept.id, email: 'stays@example.com' })).resolves.toMatchObject({
      tenant: { id: kept.id },
    });
    expect(await mock.runDeletionJobs()).toEqual({ tenantsDeleted: 0, personsErased: 0 });
  });

  it("erases a person whose deletion request's grace period has passed", async () => {
    const { clock, mock, ask } = make();
    const tenant = mock.seed.tenant();
    mock.seed.account({ tenant: tenant.id, email: 'leaving@example.com' });
    const admin = mock.seed.apiKey({ tenant: tenant.id });
    const session = await mock.signIn({ tenant: tenant.id, email: 'leaving@example.com' });
    expect(
      (await ask('PATCH', '/privacy-settings', { apiKey: admin.key }, { deletion_grace_days: 1 })).status,
    ).toBe(200);
    const asked = await ask('POST', '/auth/me/deletion', { token: session.token }, {});
    expect(asked.status).toBe(201);

    expect(await mock.runDeletionJobs()).toEqual({ tenantsDeleted: 0, personsErased: 0 });
    clock.advance(86_400 + 1);
    expect(await mock.runDeletionJobs()).toEqual({ tenantsDeleted: 0, personsErased: 1 });
    const requests = await ask('GET', '/deletion-requests', { apiKey: admin.key });
    expect(requests.body.data).toEqual([
      expect.objectContaining({
        id: asked.body.id,
        status: 'completed',
        processed_by: { type: 'system', id: null },
      }),
    ]);
    await expect(mock.signIn({ tenant: tenant.id, email: 'leaving@example.com' })).rejects.toThrow();
  });
});

describe('options', () => {
  it('selfServe: false answers POST /tenants/self-serve with 403 self_serve_disabled, as the server can', async () => {
    const closed = createEnforcerMock({ baseUrl: 'http://closed.test', selfServe: false });
    const request = new Request('http://closed.test/api/v1/enforcer/tenants/self-serve', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme', admin_email: 'ada@example.com', otp: '123456' }),
    });
    const response = await getResponse(closed.handlers, request);
    expect(response?.status).toBe(403);
    expect(await response?.json()).toMatchObject({ code: 'self_serve_disabled' });
  });
});
