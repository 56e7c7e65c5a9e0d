// The SDK conformance suite: the same scenarios against every target (the MSW mock of
// @enforcer/sdk-js/msw and the real server). The mock is only worth shipping if it behaves
// like the server, so nothing here knows which target it runs against. Seeding goes through
// the HTTP API only: self-serve with an OTP proof, then an API key.
import {
  createEnforcer,
  type Enforcer,
  EnforcerError,
  type EnforcerOptions,
  memoryStorage,
  type SignedInSnapshot,
} from '@enforcer/sdk-js';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose';
import { generate } from 'otplib';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../e2e/soft-authenticator';

export interface TargetClock {
  now(): number;
  advance(seconds: number): void;
}

export interface RunningTarget {
  /** The origin, as `createEnforcer({ baseUrl })` takes it. */
  baseUrl: string;
  /** Shared by the target and the SDKs: tests move time instead of sleeping. */
  clock: TargetClock;
  /** A Google the target trusts: signs ID tokens (iss Google, iat now, exp +1 h unless given). */
  google: { signIdToken(claims: { aud: string; [claim: string]: unknown }): Promise<string> };
  stop(): Promise<void>;
}

export interface ConformanceTarget {
  name: string;
  start(): Promise<RunningTarget>;
}

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: scenarios read bodies loosely, then assert on them
  body: any;
}

const API = '/api/v1/enforcer';
const ACCESS_TTL = 900;
const TOLERANCE = 10;

export function conformanceSuite(target: ConformanceTarget): void {
  describe(`SDK conformance against ${target.name}`, () => {
    let env: RunningTarget;
    const created: Enforcer[] = [];
    beforeAll(async () => {
      env = await target.start();
    });
    afterEach(() => {
      for (const enforcer of created.splice(0)) enforcer.destroy();
    });
    afterAll(async () => {
      await env?.stop();
    });

    let n = 0;
    const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;
    const email = (prefix = 'user') => `${unique(prefix)}@example.com`;

    const call = async (
      method: string,
      path: string,
      options: { body?: unknown; token?: string; apiKey?: string; headers?: Record<string, string> } = {},
    ): Promise<Answer> => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.apiKey) headers['x-api-key'] = options.apiKey;
      const response = await fetch(`${env.baseUrl}${API}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text,
      };
    };

    const sdk = (options: Partial<EnforcerOptions> = {}): Enforcer => {
      const enforcer = createEnforcer({
        baseUrl: env.baseUrl,
        clock: env.clock,
        autoRefresh: false,
        storageKey: unique('conformance'),
        ...options,
      });
      created.push(enforcer);
      return enforcer;
    };

    const expectProblem = (answer: Answer, status: number, code: string) => {
      expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.status).toBe(status);
    };

    /** A tenant made through self-serve (OTP proof), its owner's token, and an owner API key. */
    const seedTenant = async (name = unique('Tenant')) => {
      const ownerEmail = email('owner');
      const otp = await call('POST', '/auth/otp/request', { body: { email: ownerEmail } });
      expect(otp.status).toBe(200);
      expect(otp.body.code).toMatch(/^\d{6}$/);
      const created = await call('POST', '/tenants/self-serve', {
        body: { name, admin_email: ownerEmail, otp: otp.body.code },
      });
      expect(created.status).toBe(201);
      const key = await call('POST', '/api-keys', {
        token: created.body.token,
        body: { name: 'conformance', role: 'owner' },
      });
      expect(key.status).toBe(201);
      return {
        id: created.body.tenant.id as string,
        code: created.body.tenant.code as string,
        ownerEmail,
        ownerToken: created.body.token as string,
        apiKey: key.body.key as string,
      };
    };

    const signIn = async (enforcer: Enforcer, tenantCode: string, who = email()) => {
      const otp = await enforcer.requestOtp(who, { tenantCode });
      const snapshot = await enforcer.loginWithOtp({ email: who, otp: otp.code!, tenantCode });
      return { email: who, snapshot };
    };

    const permissionsReady = async (enforcer: Enforcer) => {
      for (let i = 0; i < 400; i++) {
        const s = enforcer.getSnapshot();
        if (s.status === 'signed_in' && s.permissions.status === 'ready') return s;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`permissions never became ready: ${JSON.stringify(enforcer.getSnapshot())}`);
    };

    const signedIn = (enforcer: Enforcer): SignedInSnapshot => {
      const s = enforcer.getSnapshot();
      if (s.status !== 'signed_in') throw new Error(`expected signed_in, got ${s.status}`);
      return s;
    };

    it('serves a JWKS that verifies its ES256 at+jwt access tokens, with the server claim set', async () => {
      const tenant = await seedTenant();
      const enforcer = sdk({ permissions: false });
      await signIn(enforcer, tenant.code);
      const token = (await enforcer.getAccessToken())!;
      const jwks = await call('GET', '/.well-known/jwks.json');
      const config = await call('GET', '/.well-known/openid-configuration');
      expect(jwks.status).toBe(200);
      expect(config.body.jwks_uri).toBe(`${config.body.issuer}/.well-known/jwks.json`);
      const header = decodeProtectedHeader(token);
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        issuer: config.body.issuer,
        audience: 'enforcer',
        currentDate: new Date(env.clock.now()),
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
      const s = signedIn(enforcer);
      expect(payload).toMatchObject({
        sub: s.account.id,
        person_id: s.person.id,
        tenant_id: tenant.id,
        sid: s.sessionId,
        roles: ['member'],
        groups: [],
        amr: ['otp'],
      });
      expect(payload.exp! - payload.iat!).toBe(ACCESS_TTL);
    });

    it('signs in with an email OTP through the SDK', async () => {
      const tenant = await seedTenant();
      const enforcer = sdk();
      const seen: string[] = [];
      enforcer.subscribe(() => seen.push(enforcer.getSnapshot().status));
      const who = email();
      expect(await enforcer.register({ email: who, tenantCode: tenant.code })).toEqual({
        accepted: true,
        next: 'otp_request',
      });
      const otp = await enforcer.requestOtp(who, { tenantCode: tenant.code });
      expect(otp).toMatchObject({ sent: true, channel: 'email', code: expect.stringMatching(/^\d{6}$/) });
      const snapshot = await enforcer.loginWithOtp({ email: who, otp: otp.code!, tenantCode: tenant.code });
      expect(snapshot).toMatchObject({
        status: 'signed_in',
        account: { email: who, role: 'member', tenant_id: tenant.id, active: true },
        person: { email: who, email_verified: true },
        tenant: { id: tenant.id, code: tenant.code },
        roles: ['member'],
        amr: ['otp'],
      });
      expect(seen).toContain('signed_in');
      const me = await enforcer.api.auth.me();
      expect(me.status).toBe(200);
      if (me.status === 200) {
        expect(me.body.account.id).toBe(snapshot.account.id);
        expect(me.body.session.id).toBe(snapshot.sessionId);
      }
      await permissionsReady(enforcer);
      expect(enforcer.can('tenants.read')).toBe(true);
      expect(enforcer.can('groups.create')).toBe(false);
    });

    it('answers with the same problem codes', async () => {
      const tenant = await seedTenant();
      const closed = await call('PUT', `/tenants/${tenant.id}/auth-provider`, {
        apiKey: tenant.apiKey,
        body: { provider: 'email_otp', allow_signup: false },
      });
      expect(closed.status).toBe(200);
      const enforcer = sdk({ permissions: false });
      const who = email();

      const badEmail = await enforcer.requestOtp('not-an-email').catch((e: unknown) => e);
      expect(badEmail).toBeInstanceOf(EnforcerError);
      expect(badEmail).toMatchObject({ code: 'validation_failed', status: 400 });
      expect((badEmail as EnforcerError).errors.map((e) => e.path)).toEqual(['body.email']);

      const unknownField = await call('POST', '/auth/otp/request', { body: { email: who, tenantCode: 'x' } });
      expectProblem(unknownField, 400, 'validation_failed');

      await expect(enforcer.requestOtp(who, { tenantCode: 'ZZZZ-ZZZZ-ZZZZ' })).rejects.toMatchObject({
        code: 'not_found',
        status: 404,
      });
      const otp = await enforcer.requestOtp(who, { tenantCode: tenant.code });
      const wrong = otp.code === '000000' ? '111111' : '000000';
      await expect(
        enforcer.loginWithOtp({ email: who, otp: wrong, tenantCode: tenant.code }),
      ).rejects.toMatchObject({
        code: 'invalid_otp',
        status: 401,
      });
      // Invite-only tenant: a right code from someone without an account.
      await expect(
        enforcer.loginWithOtp({ email: who, otp: otp.code!, tenantCode: tenant.code }),
      ).rejects.toMatchObject({ code: 'signup_disabled', status: 403 });

      expectProblem(await call('GET', '/auth/me'), 401, 'unauthenticated');
      expectProblem(await call('GET', '/auth/me', { apiKey: tenant.apiKey }), 403, 'credential_not_allowed');
      expectProblem(await call('GET', '/groups', { apiKey: 'enf_not-a-key' }), 401, 'invalid_credentials');
      expectProblem(
        await call('POST', '/auth/refresh', { body: { refresh_token: 'nope' } }),
        401,
        'refresh_token_invalid',
      );
      expectProblem(await call('POST', '/auth/logout', { body: {} }), 400, 'bad_request');
      expectProblem(await call('GET', '/directory/tenants/resolve?code=ZZZZ-ZZZZ-ZZZZ'), 404, 'not_found');

      const open = await seedTenant();
      const member = sdk({ permissions: false });
      await signIn(member, open.code);
      const forbidden = await member.api.groups.create({ body: { name: 'vip' } });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: 'forbidden' });
      const badId = await member.api.accounts.get({ params: { id: 'not-a-uuid' } });
      expect(badId.status).toBe(400);
      expect(badId.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'params.id' }] });
    });

    it('refuses the same hostile requests before any route runs (depth, NUL, lone surrogates, charset, bodies where none is taken)', async () => {
      const tenant = await seedTenant();
      const raw = (path: string, text: string, contentType = 'application/json', token?: string) =>
        fetch(`${env.baseUrl}${API}${path}`, {
          method: 'POST',
          headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: text,
        }).then(async (response) => ({
          status: response.status,
          headers: response.headers,
          body: JSON.parse((await response.text()) || 'null'),
        }));
      const deep = await raw('/auth/otp/request', `{"email":${'['.repeat(100)}${']'.repeat(100)}}`);
      expectProblem(deep, 400, 'validation_failed');
      expect(deep.body.errors[0].message).toMatch(/deeper than 64 levels/);
      for (const name of ['a\u0000b', '\ud800']) {
        const answer = await call('POST', '/api-keys', { token: tenant.ownerToken, body: { name } });
        expectProblem(answer, 400, 'validation_failed');
        expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.name']);
      }
      const magic = await call('POST', '/auth/magic-link/request', {
        body: { email: email(), tenant_code: tenant.code, redirect_url: 'notaurl' },
      });
      expectProblem(magic, 400, 'validation_failed');
      expectProblem(
        await raw(
          '/auth/otp/request',
          JSON.stringify({ email: email() }),
          'application/json; charset=utf-16',
        ),
        415,
        'unsupported_media_type',
      );
      expectProblem(
        await raw('/auth/mfa/totp/enroll', 'null', 'application/json', tenant.ownerToken),
        400,
        'bad_request',
      );
      expectProblem(
        await call('GET', '/groups?cursor=a%00b', { apiKey: tenant.apiKey }),
        400,
        'validation_failed',
      );
      // The key list is unchanged by all of the above.
      const keys = await call('GET', '/api-keys', { apiKey: tenant.apiKey });
      expect(keys.body.data).toHaveLength(1);
    });

    it('API keys: shown once, listed without the secret, revoked ones stop working; the revocation feed resumes where it stopped', async () => {
      const tenant = await seedTenant();
      const created = await call('POST', '/api-keys', { token: tenant.ownerToken, body: { name: 'feed' } });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^enf_[A-Za-z0-9_-]{43}$/);
      expect(created.body).toMatchObject({
        name: 'feed',
        role: 'admin',
        prefix: created.body.key.slice(0, 12),
      });
      expect(created.body.last_used_at).toBeUndefined();
      const key = created.body.key as string;

      // The feed: the server's retention (access TTL + the largest verifier tolerance), then only what is new.
      const first = await call('GET', '/revocations', { apiKey: key });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        tenant_id: tenant.id,
        retention_seconds: ACCESS_TTL + Math.max(TOLERANCE, 60),
      });
      const me = await call('GET', '/auth/me', { token: tenant.ownerToken });
      expect((await call('POST', '/auth/logout', { token: tenant.ownerToken, body: {} })).status).toBe(204);
      const next = await call('GET', `/revocations?cursor=${first.body.next_cursor}&limit=10`, {
        apiKey: key,
      });
      expect(next.status).toBe(200);
      expect(next.body.sessions).toEqual([
        expect.objectContaining({ session_id: me.body.session.id, account_id: me.body.account.id }),
      ]);
      expect(next.body.has_more).toBe(false);
      const quiet = await call('GET', `/revocations?cursor=${next.body.next_cursor}`, { apiKey: key });
      expect(quiet.body).toMatchObject({ sessions: [], accounts: [], has_more: false });
      expectProblem(await call('GET', '/revocations?cursor=nope', { apiKey: key }), 400, 'validation_failed');

      // Listed without the secret, with its last use; deleted, it leaves the list and stops working.
      const listed = await call('GET', '/api-keys', { apiKey: tenant.apiKey });
      expect(JSON.stringify(listed.body)).not.toContain(key);
      expect(listed.body.data.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({
        name: 'feed',
        last_used_at: expect.any(String),
      });
      expect((await call('DELETE', `/api-keys/${created.body.id}`, { apiKey: tenant.apiKey })).status).toBe(
        204,
      );
      expectProblem(await call('GET', '/revocations', { apiKey: key }), 401, 'invalid_credentials');
      expectProblem(
        await call('DELETE', `/api-keys/${created.body.id}`, { apiKey: tenant.apiKey }),
        404,
        'not_found',
      );
      const after = await call('GET', '/api-keys', { apiKey: tenant.apiKey });
      expect(after.body.data.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
    });

    it('refreshes once for 20 calls that find the access token expired', async () => {
      const tenant = await seedTenant();
      const enforcer = sdk({ permissions: false });
      await signIn(enforcer, tenant.code);
      const before = signedIn(enforcer);
      env.clock.advance(ACCESS_TTL + TOLERANCE + 1);
      const results = await Promise.all(Array.from({ length: 20 }, () => enforcer.api.auth.me()));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const after = signedIn(enforcer);
      expect(after.sessionId).toBe(before.sessionId);
      expect(after.expiresAt).toBeGreaterThan(before.expiresAt);

      // The same for a server-side expiry the SDK did not see coming (its clock stood still).
      const frozen = env.clock.now();
      const skewed = sdk({ permissions: false, clock: { now: () => frozen } });
      await signIn(skewed, tenant.code);
      const first = await skewed.getAccessToken();
      env.clock.advance(ACCESS_TTL + TOLERANCE + 1);
      const retried = await Promise.all(Array.from({ length: 20 }, () => skewed.api.auth.me()));
      expect(retried.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(await skewed.getAccessToken()).not.toBe(first);
    });

    it('rotates refresh tokens, honours the grace window and detects reuse', async () => {
      const tenant = await seedTenant();
      const who = email();
      const otp = await call('POST', '/auth/otp/request', { body: { email: who, tenant_code: tenant.code } });
      const login = await call('POST', '/auth/login', {
        body: { provider: 'email_otp', email: who, otp: otp.body.code, tenant_code: tenant.code },
      });
      expect(login.status).toBe(200);
      expect(login.body.refresh_token).toMatch(/^ert_[A-Za-z0-9_-]{43}$/);
      const second = await call('POST', '/auth/refresh', {
        body: { refresh_token: login.body.refresh_token },
      });
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(login.body.refresh_token);
      env.clock.advance(2);
      const replay = await call('POST', '/auth/refresh', {
        body: { refresh_token: login.body.refresh_token },
      });
      expect(replay.status).toBe(200);
      expect(replay.body.refresh_token).toBe(second.body.refresh_token);
      env.clock.advance(30);
      const reused = await call('POST', '/auth/refresh', {
        body: { refresh_token: login.body.refresh_token },
      });
      expectProblem(reused, 401, 'refresh_token_reused');
      // The whole family is gone: the live refresh token and the access tokens too.
      expectProblem(
        await call('POST', '/auth/refresh', { body: { refresh_token: second.body.refresh_token } }),
        401,
        'refresh_token_invalid',
      );
      expectProblem(await call('GET', '/auth/me', { token: second.body.token }), 401, 'token_invalid');
    });

    it('logs out this session, and everywhere', async () => {
      const tenant = await seedTenant();
      const a = sdk({ permissions: false });
      const { email: who } = await signIn(a, tenant.code);
      const b = sdk({ permissions: false, storage: memoryStorage() });
      await signIn(b, tenant.code, who);
      const c = sdk({ permissions: false, storage: memoryStorage() });
      await signIn(c, tenant.code, who);
      const aToken = (await a.getAccessToken())!;
      const aRefresh = await a.getAccessToken();
      expect(aRefresh).toBeTruthy();

      await a.logout();
      expect(a.getSnapshot().status).toBe('signed_out');
      expectProblem(await call('GET', '/auth/me', { token: aToken }), 401, 'token_invalid');

      const bToken = (await b.getAccessToken())!;
      const cToken = (await c.getAccessToken())!;
      expect((await call('GET', '/auth/me', { token: cToken })).status).toBe(200);
      await b.logout({ everywhere: true });
      expectProblem(await call('GET', '/auth/me', { token: bToken }), 401, 'token_invalid');
      expectProblem(await call('GET', '/auth/me', { token: cToken }), 401, 'token_invalid');
      // c learns it on its next call: the refresh is refused, it signs out.
      const answer = await c.api.auth.me();
      expect(answer.status).toBe(401);
      expect(c.getSnapshot().status).toBe('signed_out');
    });

    it('switches and joins tenants; listeners fire and can() follows', async () => {
      const home = await seedTenant();
      const club = await seedTenant();
      const closed = await seedTenant();
      await call('PUT', `/tenants/${closed.id}/auth-provider`, {
        apiKey: closed.apiKey,
        body: { providers: ['email_otp'], allow_signup: false },
      });
      const enforcer = sdk();
      await signIn(enforcer, home.code);
      await permissionsReady(enforcer);
      const tenantsSeen: string[] = [];
      enforcer.subscribe(() => {
        const s = enforcer.getSnapshot();
        if (s.status === 'signed_in') tenantsSeen.push(s.tenant.id);
      });

      env.clock.advance(1); // memberships are listed oldest first
      const joined = await enforcer.tenants.join(club.code);
      expect(joined.tenant.id).toBe(club.id);
      expect(joined.account.role).toBe('member');
      expect(tenantsSeen).toContain(club.id);
      await expect(enforcer.tenants.join(club.code)).rejects.toMatchObject({
        code: 'already_member',
        status: 409,
      });
      await expect(enforcer.tenants.join(closed.code)).rejects.toMatchObject({
        code: 'signup_disabled',
        status: 403,
      });

      const memberships = await enforcer.tenants.list();
      expect(memberships.map((m) => [m.tenant.id, m.current])).toEqual([
        [home.id, false],
        [club.id, true],
      ]);

      const back = await enforcer.tenants.switch(home.id);
      expect(back.tenant.id).toBe(home.id);
      expect(tenantsSeen.at(-1)).toBe(home.id);
      const ready = await permissionsReady(enforcer);
      expect(ready.permissions.status === 'ready' && ready.permissions.subject.tenant_id).toBe(home.id);
      expect(enforcer.can('tenants.read')).toBe(true);
      await expect(enforcer.tenants.switch(closed.id)).rejects.toMatchObject({
        code: 'not_a_member',
        status: 403,
      });
    });

    it('the group gate flips can()', async () => {
      const tenant = await seedTenant();
      const enforcer = sdk();
      await signIn(enforcer, tenant.code);
      await permissionsReady(enforcer);
      expect(enforcer.can('transfers.create')).toBe(false);
      const groups = await call('GET', '/groups', { apiKey: tenant.apiKey });
      expect(groups.status).toBe(200);
      const verified = groups.body.data.find((g: { name: string }) => g.name === 'verified');
      expect(verified).toBeDefined();
      const accountId = signedIn(enforcer).account.id;

      const added = await call('POST', `/groups/${verified.id}/members`, {
        apiKey: tenant.apiKey,
        body: { account_id: accountId },
      });
      expect(added.status).toBe(201);
      await enforcer.reloadPermissions();
      expect(enforcer.can('transfers.create')).toBe(true);
      expect(signedIn(enforcer).groups).toEqual(['verified']);
      const decision = await enforcer.api.policy.authorize({ body: { action: 'transfers.create' } });
      expect(decision.body).toEqual({
        allowed: true,
        reason: { kind: 'allowed_by_group', group: 'verified', permission: 'transfers.*' },
      });

      const removed = await call('DELETE', `/groups/${verified.id}/members/${accountId}`, {
        apiKey: tenant.apiKey,
      });
      expect(removed.status).toBe(204);
      await enforcer.reloadPermissions();
      expect(enforcer.can('transfers.create')).toBe(false);
    });

    it('policy changes flip can(); If-Match and invalid documents are refused', async () => {
      const tenant = await seedTenant();
      const enforcer = sdk();
      await signIn(enforcer, tenant.code);
      await permissionsReady(enforcer);
      expect(enforcer.can('reports.read')).toBe(false);

      const current = await call('GET', '/policy', { apiKey: tenant.apiKey });
      expect(current.status).toBe(200);
      expect(current.body.etag).toMatch(/^".+"$/);
      const document = current.body.document;
      const next = {
        ...document,
        roles: {
          ...document.roles,
          member: {
            ...document.roles.member,
            permissions: [...document.roles.member.permissions, 'reports.read'],
          },
        },
      };
      expectProblem(
        await call('PUT', '/policy', {
          apiKey: tenant.apiKey,
          body: next,
          headers: { 'if-match': '"stale"' },
        }),
        412,
        'precondition_failed',
      );
      const invalid = await call('PUT', '/policy', {
        apiKey: tenant.apiKey,
        body: { ...next, rules: [{ effect: 'allow', actions: ['x.read'], resource: 'nope' }] },
      });
      expectProblem(invalid, 400, 'invalid_policy');
      expect(invalid.body.errors[0].path).toMatch(/^body\.rules\[0\]/);
      const put = await call('PUT', '/policy', {
        apiKey: tenant.apiKey,
        body: next,
        headers: { 'if-match': current.body.etag },
      });
      expect(put.status).toBe(200);
      expect(put.body.etag).not.toBe(current.body.etag);

      await enforcer.reloadPermissions();
      expect(enforcer.can('reports.read')).toBe(true);
      const snapshot = signedIn(enforcer);
      expect(snapshot.permissions.status === 'ready' && snapshot.permissions.etag).toBe(put.body.etag);
    });

    // --- sign-in methods of step 6 ------------------------------------------------------------

    const allow = async (tenant: { id: string; apiKey: string }, providers: string[]) => {
      const answer = await call('PUT', `/tenants/${tenant.id}/auth-provider`, {
        apiKey: tenant.apiKey,
        body: { providers },
      });
      expect(answer.status).toBe(200);
    };

    const PASSWORD = 'correct horse battery staple';
    const passwordLogin = (tenantCode: string, who: string, password = PASSWORD) =>
      call('POST', '/auth/login', {
        body: { provider: 'password', email: who, password, tenant_code: tenantCode },
      });

    /** A tenant taking passwords, and a person registered there with one. */
    const passwordUser = async () => {
      const tenant = await seedTenant();
      await allow(tenant, ['email_otp', 'password', 'magic_link']);
      const who = email('pwd');
      const registered = await call('POST', '/auth/register', {
        body: { provider: 'password', email: who, password: PASSWORD, tenant_code: tenant.code },
      });
      expect(registered.status).toBe(202);
      expect(registered.body).toEqual({ accepted: true, next: 'login' });
      return { tenant, who };
    };

    const totpAt = (secret: string, offsetSeconds = 0) =>
      generate({ secret, epoch: Math.floor(env.clock.now() / 1000) + offsetSeconds });

    /** Signs in with a password and turns TOTP on; answers the secret and the recovery codes. */
    const mfaUser = async () => {
      const { tenant, who } = await passwordUser();
      const login = await passwordLogin(tenant.code, who);
      expect(login.status).toBe(200);
      const enrolled = await call('POST', '/auth/mfa/totp/enroll', { token: login.body.token });
      expect(enrolled.status).toBe(200);
      // otplib's layout on both sides: issuer:label, the secret and the issuer (defaults left out).
      const uri = new URL(enrolled.body.otpauth_uri);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.pathname).toMatch(new RegExp(`:${encodeURIComponent(who).replace(/\./g, '\\.')}$`));
      expect([...uri.searchParams.keys()]).toEqual(['secret', 'issuer']);
      expect(uri.searchParams.get('secret')).toBe(enrolled.body.secret);
      expect(enrolled.body.qr_code).toMatch(/^data:image\/png;base64,/);
      const secret = enrolled.body.secret as string;
      const confirmed = await call('POST', '/auth/mfa/totp/confirm', {
        token: login.body.token,
        body: { code: await totpAt(secret) },
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.recovery_codes).toHaveLength(10);
      return { tenant, who, secret, recoveryCodes: confirmed.body.recovery_codes as string[] };
    };

    it('passwords: weak ones refused, sign-in, wrong and unknown alike, change and reset', async () => {
      const { tenant, who } = await passwordUser();
      const weak = await call('POST', '/auth/register', {
        body: { provider: 'password', email: email(), password: 'Password123!', tenant_code: tenant.code },
      });
      expectProblem(weak, 400, 'weak_password');
      expect(weak.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.password']);
      const short = await call('POST', '/auth/register', {
        body: { provider: 'password', email: email(), password: 'short', tenant_code: tenant.code },
      });
      expectProblem(short, 400, 'validation_failed');

      expectProblem(await passwordLogin(tenant.code, who, 'not the password'), 401, 'invalid_credentials');
      expectProblem(await passwordLogin(tenant.code, email('nobody')), 401, 'invalid_credentials');
      const enforcer = sdk({ permissions: false });
      const snapshot = await enforcer.login({
        provider: 'password',
        email: who,
        password: PASSWORD,
        tenant_code: tenant.code,
      });
      expect(snapshot).toMatchObject({
        status: 'signed_in',
        amr: ['pwd'],
        person: { email: who, email_verified: false },
      });
      const other = await passwordLogin(tenant.code, who);
      expect(other.status).toBe(200);

      const token = (await enforcer.getAccessToken())!;
      expectProblem(
        await call('POST', '/auth/password/change', {
          token,
          body: { current_password: 'wrong password', new_password: 'another fine sentence' },
        }),
        401,
        'invalid_credentials',
      );
      const changed = await call('POST', '/auth/password/change', {
        token,
        body: { current_password: PASSWORD, new_password: 'another fine sentence' },
      });
      expect(changed.body).toEqual({ changed: true, sessions_revoked: 1 });
      expectProblem(await call('GET', '/auth/me', { token: other.body.token }), 401, 'token_invalid');
      expect((await call('GET', '/auth/me', { token })).status).toBe(200);

      const requested = await call('POST', '/auth/password/reset/request', {
        body: { email: who, tenant_code: tenant.code },
      });
      expect(requested.status).toBe(200);
      expect(requested.body).toMatchObject({
        sent: true,
        channel: 'email',
        code: expect.stringMatching(/^\d{6}$/),
      });
      const unknown = await call('POST', '/auth/password/reset/request', {
        body: { email: email('nobody'), tenant_code: tenant.code },
      });
      expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(requested.body).sort());
      const wrongCode = requested.body.code === '000000' ? '111111' : '000000';
      expectProblem(
        await call('POST', '/auth/password/reset/confirm', {
          body: {
            email: who,
            tenant_code: tenant.code,
            code: wrongCode,
            new_password: 'a third good sentence',
          },
        }),
        401,
        'invalid_otp',
      );
      const reset = await call('POST', '/auth/password/reset/confirm', {
        body: {
          email: who,
          tenant_code: tenant.code,
          code: requested.body.code,
          new_password: 'a third good sentence',
        },
      });
      expect(reset.body).toEqual({ reset: true, sessions_revoked: 1 });
      expectProblem(await call('GET', '/auth/me', { token }), 401, 'token_invalid');
      expect((await passwordLogin(tenant.code, who, 'a third good sentence')).status).toBe(200);
    });

    it('TOTP: mfa_required with an mfa_token, verify with a code, tokens carry mfa_at; no replay', async () => {
      const { tenant, who, secret } = await mfaUser();
      const first = await passwordLogin(tenant.code, who);
      expectProblem(first, 401, 'mfa_required');
      expect(first.body).toMatchObject({
        mfa_token: expect.stringMatching(/^emt_/),
        mfa_methods: ['totp', 'recovery_code'],
      });
      // The code of the step that confirmed enrolment was used: a replay.
      expectProblem(
        await call('POST', '/auth/mfa/verify', {
          body: { mfa_token: first.body.mfa_token, code: await totpAt(secret) },
        }),
        401,
        'invalid_mfa_code',
      );
      env.clock.advance(30);
      const verified = await call('POST', '/auth/mfa/verify', {
        body: { mfa_token: first.body.mfa_token, code: await totpAt(secret) },
      });
      expect(verified.status).toBe(200);
      const claims = decodeJwt(verified.body.token);
      expect(claims.amr).toEqual(['pwd', 'totp', 'mfa']);
      expect(claims.mfa_at).toBe(Math.floor(env.clock.now() / 1000));
      expectProblem(
        await call('POST', '/auth/mfa/verify', {
          body: { mfa_token: first.body.mfa_token, code: await totpAt(secret) },
        }),
        401,
        'mfa_token_invalid',
      );
      const status = await call('GET', '/auth/mfa', { token: verified.body.token });
      expect(status.body).toMatchObject({ enabled: true, pending: false, recovery_codes_remaining: 10 });
      // Refreshes keep mfa_at.
      env.clock.advance(5);
      const refreshed = await call('POST', '/auth/refresh', {
        body: { refresh_token: verified.body.refresh_token },
      });
      expect(decodeJwt(refreshed.body.token).mfa_at).toBe(claims.mfa_at);
    });

    it('recovery codes work once each', async () => {
      const { tenant, who, recoveryCodes } = await mfaUser();
      const first = await passwordLogin(tenant.code, who);
      const used = await call('POST', '/auth/mfa/verify', {
        body: { mfa_token: first.body.mfa_token, recovery_code: recoveryCodes[0]!.toUpperCase() },
      });
      expect(used.status).toBe(200);
      expect(decodeJwt(used.body.token).amr).toEqual(['pwd', 'recovery_code', 'mfa']);
      const second = await passwordLogin(tenant.code, who);
      expectProblem(
        await call('POST', '/auth/mfa/verify', {
          body: { mfa_token: second.body.mfa_token, recovery_code: recoveryCodes[0] },
        }),
        401,
        'invalid_mfa_code',
      );
      const status = await call('GET', '/auth/mfa', { token: used.body.token });
      expect(status.body.recovery_codes_remaining).toBe(9);
    });

    it('step-up: a new access token with mfa_at now; the policy subject sees mfa_age_seconds', async () => {
      const { tenant, who, secret } = await mfaUser();
      env.clock.advance(30);
      const first = await passwordLogin(tenant.code, who);
      const session = await call('POST', '/auth/mfa/verify', {
        body: { mfa_token: first.body.mfa_token, code: await totpAt(secret) },
      });
      env.clock.advance(600);
      const before = await call('GET', '/auth/permissions', { token: session.body.token });
      expect(before.body.subject.attributes.mfa_age_seconds).toBe(600);
      expectProblem(
        await call('POST', '/auth/mfa/step-up', { token: session.body.token, body: { code: '000000' } }),
        401,
        'invalid_mfa_code',
      );
      const stepped = await call('POST', '/auth/mfa/step-up', {
        token: session.body.token,
        body: { code: await totpAt(secret) },
      });
      expect(stepped.status).toBe(200);
      expect(stepped.body).toMatchObject({ token_type: 'Bearer', amr: ['pwd', 'totp', 'mfa'] });
      expect(Date.parse(stepped.body.mfa_at)).toBe(Math.floor(env.clock.now() / 1000) * 1000);
      expect(decodeJwt(stepped.body.token)).toMatchObject({
        mfa_at: Math.floor(env.clock.now() / 1000),
        sid: decodeJwt(session.body.token).sid,
      });
      env.clock.advance(42);
      const after = await call('GET', '/auth/permissions', { token: stepped.body.token });
      expect(after.body.subject.attributes.mfa_age_seconds).toBe(42);
      // A person without MFA cannot step up.
      const plain = await passwordUser();
      const login = await passwordLogin(plain.tenant.code, plain.who);
      expectProblem(
        await call('POST', '/auth/mfa/step-up', { token: login.body.token, body: { code: '123456' } }),
        409,
        'mfa_not_enabled',
      );
    });

    it('magic links: the dev-mode token signs in once', async () => {
      const { tenant, who } = await passwordUser();
      expectProblem(
        await call('POST', '/auth/magic-link/request', { body: { email: who, tenant_code: tenant.code } }),
        400,
        'bad_request',
      );
      const settings = await call('PUT', `/tenants/${tenant.id}/magic-link`, {
        apiKey: tenant.apiKey,
        body: { redirect_urls: ['https://app.example/sign-in'] },
      });
      expect(settings.body).toEqual({ redirect_urls: ['https://app.example/sign-in'] });
      const sent = await call('POST', '/auth/magic-link/request', {
        body: { email: who, tenant_code: tenant.code },
      });
      expect(sent.status).toBe(200);
      expect(sent.body.link).toBe(`https://app.example/sign-in?token=${sent.body.token}`);
      const body = { provider: 'magic_link', token: sent.body.token, tenant_code: tenant.code };
      const login = await call('POST', '/auth/login', { body });
      expect(login.status).toBe(200);
      expect(login.body.person).toMatchObject({ email: who, email_verified: true });
      expect(decodeJwt(login.body.token).amr).toEqual(['otp']);
      expectProblem(await call('POST', '/auth/login', { body }), 401, 'magic_link_invalid');
      // Proving the email dropped the password registered before any proof (pre-hijacking defence).
      expectProblem(await passwordLogin(tenant.code, who), 401, 'invalid_credentials');
    });

    it("magic links: registered redirect URLs only, a new link supersedes the last, another tenant's id is a 404", async () => {
      const { tenant, who } = await passwordUser();
      const other = await seedTenant();
      const urls = ['https://app.example/sign-in?tenant=acme', 'https://other.example/in'];
      await call('PUT', `/tenants/${tenant.id}/magic-link`, {
        apiKey: tenant.apiKey,
        body: { redirect_urls: urls },
      });
      expect((await call('GET', `/tenants/${tenant.id}/magic-link`, { apiKey: tenant.apiKey })).body).toEqual(
        {
          redirect_urls: urls,
        },
      );
      expectProblem(
        await call('GET', `/tenants/${other.id}/magic-link`, { apiKey: tenant.apiKey }),
        404,
        'not_found',
      );
      const stranger = await call('POST', '/auth/magic-link/request', {
        body: { email: who, tenant_code: tenant.code, redirect_url: 'https://evil.example/' },
      });
      expectProblem(stranger, 400, 'validation_failed');
      expect(stranger.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.redirect_url']);
      const request = (redirect_url?: string) =>
        call('POST', '/auth/magic-link/request', {
          body: { email: who, tenant_code: tenant.code, ...(redirect_url ? { redirect_url } : {}) },
        });
      const first = await request();
      expect(first.body.link).toBe(`${urls[0]}&token=${first.body.token}`);
      const second = await request(urls[1]);
      expect(second.body.link).toBe(`${urls[1]}?token=${second.body.token}`);
      const login = (token: string, tenant_code = tenant.code) =>
        call('POST', '/auth/login', { body: { provider: 'magic_link', token, tenant_code } });
      expectProblem(await login(first.body.token), 401, 'magic_link_invalid');
      await allow(other, ['email_otp', 'magic_link']);
      expectProblem(await login(second.body.token, other.code), 401, 'magic_link_invalid');
      expect((await login(second.body.token)).status).toBe(200);
    });

    it('phone codes: the dev-mode code signs in a person without an email', async () => {
      const tenant = await seedTenant();
      await allow(tenant, ['email_otp', 'phone_otp']);
      const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      const sent = await call('POST', '/auth/otp/request', { body: { phone, tenant_code: tenant.code } });
      expect(sent.body).toMatchObject({ sent: true, channel: 'sms', code: expect.stringMatching(/^\d{6}$/) });
      const wrong = sent.body.code === '000000' ? '111111' : '000000';
      expectProblem(
        await call('POST', '/auth/login', {
          body: { provider: 'phone_otp', phone, otp: wrong, tenant_code: tenant.code },
        }),
        401,
        'invalid_otp',
      );
      const login = await call('POST', '/auth/login', {
        body: { provider: 'phone_otp', phone, otp: sent.body.code, tenant_code: tenant.code },
      });
      expect(login.status).toBe(200);
      expect(login.body.person.email).toBeNull();
      expect(decodeJwt(login.body.token).amr).toEqual(['sms']);
    });

    it('throttling: five wrong passwords are free, the sixth answers 429 with Retry-After 30', async () => {
      const { tenant, who } = await passwordUser();
      for (let i = 0; i < 5; i++) {
        expectProblem(
          await passwordLogin(tenant.code, who, `wrong password ${i}`),
          401,
          'invalid_credentials',
        );
      }
      const sixth = await passwordLogin(tenant.code, who, 'wrong password 6');
      expectProblem(sixth, 429, 'rate_limited');
      expect(sixth.headers.get('retry-after')).toBe('30');
      env.clock.advance(10);
      const blocked = await passwordLogin(tenant.code, who);
      expectProblem(blocked, 429, 'rate_limited');
      expect(blocked.headers.get('retry-after')).toBe('20');
      env.clock.advance(21);
      expect((await passwordLogin(tenant.code, who)).status).toBe(200);
    });

    it('invites: accept switches into the tenant; a used code is invite_invalid', async () => {
      const home = await seedTenant();
      const other = await seedTenant();
      const enforcer = sdk({ permissions: false });
      const { email: who } = await signIn(enforcer, home.code);
      const invite = await call('POST', `/tenants/${other.id}/invites`, {
        apiKey: other.apiKey,
        body: { email: who, role: 'admin' },
      });
      expect(invite.status).toBe(201);
      const accepted = await enforcer.acceptInvite(invite.body.code);
      expect(accepted).toMatchObject({
        tenant: { id: other.id },
        account: { role: 'admin' },
        roles: ['admin'],
      });
      await expect(enforcer.acceptInvite(invite.body.code)).rejects.toMatchObject({
        code: 'invite_invalid',
        status: 400,
      });
    });

    it("tenants: a new one must accept the session's method; settings are checked; resolve is public; invites are inv_ codes, one pending per email", async () => {
      const home = await seedTenant();
      expectProblem(
        await call('POST', '/tenants', {
          token: home.ownerToken,
          body: { name: unique('Passkeys only'), auth_providers: ['passkey'] },
        }),
        400,
        'validation_failed',
      );
      const made = await call('POST', '/tenants', {
        token: home.ownerToken,
        body: { name: unique('Second') },
      });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        tenant: { auth_providers: ['email_otp'], allow_signup: false },
        account: { role: 'owner', tenant_id: made.body.tenant.id },
      });
      expectProblem(
        await call('GET', `/tenants/${made.body.tenant.id}`, { apiKey: home.apiKey }),
        404,
        'not_found',
      );

      const p384 = await exportSPKI((await generateKeyPair('ES384', { extractable: true })).publicKey);
      expectProblem(
        await call('PATCH', `/tenants/${home.id}`, {
          apiKey: home.apiKey,
          body: { auth_settings: { privy: { app_id: 'conformance-app', verification_key: p384 } } },
        }),
        400,
        'validation_failed',
      );

      const resolved = await call('GET', `/directory/tenants/resolve?code=${home.code.toLowerCase()}`);
      expect(resolved.status).toBe(200);
      expect(Object.keys(resolved.body).sort()).toEqual([
        'allow_signup',
        'auth_providers',
        'code',
        'id',
        'logo_url',
        'name',
        'theme',
      ]);

      const who = email('invitee');
      const invite = await call('POST', `/tenants/${home.id}/invites`, {
        apiKey: home.apiKey,
        body: { email: who },
      });
      expect(invite.status).toBe(201);
      expect(invite.body).toMatchObject({ email: who, role: 'member' });
      expect(invite.body.code).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(invite.body.expires_at) - env.clock.now()).toBeGreaterThan(7 * 86_400_000 - 5000);
      expect(Date.parse(invite.body.expires_at) - env.clock.now()).toBeLessThanOrEqual(7 * 86_400_000);
      for (const invitee of [who, home.ownerEmail]) {
        expectProblem(
          await call('POST', `/tenants/${home.id}/invites`, {
            apiKey: home.apiKey,
            body: { email: invitee },
          }),
          409,
          'conflict',
        );
      }
    });

    // --- Google, Sign-In with Ethereum, linked identities ------------------------------------------

    const GOOGLE_CLIENT_ID = '1234567890-conformance.apps.googleusercontent.com';
    const SIWE = { domain: 'app.example.com', uri: 'https://app.example.com', chain_ids: [1, 8453] };
    const randomHex = (bytes: number) =>
      [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const googleSub = () => `1${String(Math.floor(Math.random() * 1e15)).padStart(15, '0')}`;

    /** A tenant accepting these methods, with Google and SIWE configured through `PATCH /tenants/{id}`. */
    const methodTenant = async (providers: string[]) => {
      const tenant = await seedTenant();
      await allow(tenant, providers);
      const patched = await call('PATCH', `/tenants/${tenant.id}`, {
        apiKey: tenant.apiKey,
        body: { auth_settings: { google: { client_ids: [GOOGLE_CLIENT_ID] }, siwe: SIWE } },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.auth_settings).toMatchObject({ siwe: SIWE });
      return tenant;
    };

    const googleProof = async (claims: Record<string, unknown> = {}) => {
      const nonce = randomHex(16);
      const token = await env.google.signIdToken({
        aud: GOOGLE_CLIENT_ID,
        sub: googleSub(),
        nonce,
        ...claims,
      });
      return { token, nonce };
    };
    const googleLogin = (tenantCode: string, proof: { token: string; nonce: string }) =>
      call('POST', '/auth/login', { body: { provider: 'google', ...proof, tenant_code: tenantCode } });

    const siweProof = async (
      tenantCode: string,
      account = privateKeyToAccount(generatePrivateKey()),
      overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {},
    ) => {
      const nonce = await call('POST', '/auth/siwe/nonce', { body: { tenant_code: tenantCode } });
      expect(nonce.status).toBe(200);
      const message = createSiweMessage({
        address: account.address,
        domain: SIWE.domain,
        uri: `${SIWE.uri}/login`,
        version: '1',
        chainId: 8453,
        nonce: nonce.body.nonce,
        issuedAt: new Date(env.clock.now()),
        ...overrides,
      });
      return { message, signature: await account.signMessage({ message }), account };
    };
    const siweLogin = (tenantCode: string, proof: { message: string; signature: string }) =>
      call('POST', '/auth/login', {
        body: {
          provider: 'siwe',
          message: proof.message,
          signature: proof.signature,
          tenant_code: tenantCode,
        },
      });

    it('google: unconfigured is 403 provider_not_configured; a new Google account signs up with its verified email, then in again by subject', async () => {
      const bare = await seedTenant();
      await allow(bare, ['email_otp', 'google']);
      expectProblem(await googleLogin(bare.code, await googleProof()), 403, 'provider_not_configured');

      const tenant = await methodTenant(['email_otp', 'google']);
      const sub = googleSub();
      const who = email('google');
      const first = await googleLogin(
        tenant.code,
        await googleProof({ sub, email: who, email_verified: true }),
      );
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.person).toMatchObject({ email: who, email_verified: true });
      const me = await call('GET', '/auth/me', { token: first.body.token });
      expect(me.body.session.amr).toEqual(['google']);
      // the issuer without https is Google too; a changed email still finds the person by subject
      const again = await googleLogin(
        tenant.code,
        await googleProof({ sub, email: email('changed'), email_verified: true, iss: 'accounts.google.com' }),
      );
      expect(again.status).toBe(200);
      expect(again.body.person.id).toBe(first.body.person.id);
      const identities = await call('GET', '/auth/identities', { token: again.body.token });
      expect(
        identities.body.data.map((i: { provider: string; subject: string }) => [i.provider, i.subject]),
      ).toEqual([
        ['email_otp', who],
        ['google', `https://accounts.google.com|${sub}`],
      ]);
    });

    it('google: a nonce works once, and wrong nonce, audience, issuer, expiry and signature are 401 provider_token_invalid', async () => {
      const tenant = await methodTenant(['email_otp', 'google']);
      const proof = await googleProof();
      expect((await googleLogin(tenant.code, proof)).status).toBe(200);
      expectProblem(await googleLogin(tenant.code, proof), 401, 'provider_token_invalid');

      const wrongNonce = await googleProof();
      expectProblem(
        await googleLogin(tenant.code, { ...wrongNonce, nonce: randomHex(16) }),
        401,
        'provider_token_invalid',
      );
      expectProblem(
        await googleLogin(tenant.code, await googleProof({ aud: 'someone-else' })),
        401,
        'provider_token_invalid',
      );
      expectProblem(
        await googleLogin(tenant.code, await googleProof({ iss: 'https://evil.example.com' })),
        401,
        'provider_token_invalid',
      );
      const now = Math.floor(env.clock.now() / 1000);
      expectProblem(
        await googleLogin(tenant.code, await googleProof({ iat: now - 7200, exp: now - TOLERANCE - 5 })),
        401,
        'provider_token_invalid',
      );
      // still inside the clock tolerance: accepted
      expect(
        (await googleLogin(tenant.code, await googleProof({ iat: now - 7200, exp: now - 2 }))).status,
      ).toBe(200);
      const forged = await googleProof();
      const [header, payload] = forged.token.split('.');
      const tampered = `${header}.${payload}.${forged.token.split('.')[2]!.slice(0, -4)}AAAA`;
      expectProblem(
        await googleLogin(tenant.code, { ...forged, token: tampered }),
        401,
        'provider_token_invalid',
      );
    });

    it('google: does not take over a person by email (409 email_in_use); once linked, Google signs in as them', async () => {
      const tenant = await methodTenant(['email_otp', 'google']);
      const enforcer = sdk({ permissions: false });
      const { email: who } = await signIn(enforcer, tenant.code);
      const sub = googleSub();
      expectProblem(
        await googleLogin(tenant.code, await googleProof({ sub, email: who, email_verified: true })),
        409,
        'email_in_use',
      );
      const token = (await enforcer.getAccessToken())!;
      const link = await call('POST', '/auth/identities/google', {
        token,
        body: await googleProof({ sub, email: who, email_verified: true }),
      });
      expect(link.status, JSON.stringify(link.body)).toBe(201);
      expect(link.body).toMatchObject({
        provider: 'google',
        subject: `https://accounts.google.com|${sub}`,
        email: who,
      });
      const relink = await call('POST', '/auth/identities/google', {
        token,
        body: await googleProof({ sub }),
      });
      expect(relink.status).toBe(200);
      expect(relink.body.id).toBe(link.body.id);
      const viaGoogle = await googleLogin(
        tenant.code,
        await googleProof({ sub, email: who, email_verified: true }),
      );
      expect(viaGoogle.status).toBe(200);
      expect(viaGoogle.body.person.id).toBe(signedIn(enforcer).person.id);
    });

    it('siwe: the nonce route says what to sign; a wallet signs up without an email, then in again by checksummed address', async () => {
      const bare = await seedTenant();
      expectProblem(
        await call('POST', '/auth/siwe/nonce', { body: { tenant_code: bare.code } }),
        403,
        'provider_not_allowed',
      );
      await allow(bare, ['email_otp', 'siwe']);
      expectProblem(
        await call('POST', '/auth/siwe/nonce', { body: { tenant_code: bare.code } }),
        403,
        'provider_not_configured',
      );
      expectProblem(
        await call('POST', '/auth/siwe/nonce', { body: { tenant_code: 'AAAA-BBBB-CCCC' } }),
        404,
        'not_found',
      );

      const tenant = await methodTenant(['email_otp', 'siwe']);
      const nonce = await call('POST', '/auth/siwe/nonce', {
        body: { tenant_code: tenant.code.toLowerCase() },
      });
      expect(nonce.status).toBe(200);
      expect(nonce.body.nonce).toMatch(/^[0-9a-f]{64}$/);
      expect(nonce.body).toMatchObject(SIWE);
      expect(new Date(nonce.body.expires_at).getTime() - env.clock.now()).toBe(300_000);

      const proof = await siweProof(tenant.code);
      const first = await siweLogin(tenant.code, proof);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.person.email).toBeNull();
      const me = await call('GET', '/auth/me', { token: first.body.token });
      expect(me.body.session.amr).toEqual(['swk']);
      const identities = await call('GET', '/auth/identities', { token: first.body.token });
      expect(identities.body.data).toMatchObject([{ provider: 'siwe', subject: proof.account.address }]);
      // the nonce was spent
      expectProblem(await siweLogin(tenant.code, proof), 401, 'challenge_invalid');
      const again = await siweLogin(tenant.code, await siweProof(tenant.code, proof.account));
      expect(again.body.person.id).toBe(first.body.person.id);
    });

    it('siwe: wrong domain, uri, chain, expiry and signer are 401 invalid_credentials, and spend the nonce', async () => {
      const tenant = await methodTenant(['email_otp', 'siwe']);
      const now = new Date(env.clock.now());
      for (const overrides of [
        { domain: 'evil.example.com' },
        { uri: 'https://evil.example.com/login' },
        { chainId: 137 },
        { expirationTime: new Date(now.getTime() - (TOLERANCE + 5) * 1000) },
        { notBefore: new Date(now.getTime() + 3600_000) },
        { issuedAt: new Date(now.getTime() + 3600_000) },
      ]) {
        const proof = await siweProof(tenant.code, undefined, overrides);
        expectProblem(await siweLogin(tenant.code, proof), 401, 'invalid_credentials');
        expectProblem(await siweLogin(tenant.code, proof), 401, 'challenge_invalid');
      }
      const proof = await siweProof(tenant.code);
      const other = privateKeyToAccount(generatePrivateKey());
      const wrongSigner = {
        message: proof.message,
        signature: await other.signMessage({ message: proof.message }),
      };
      expectProblem(await siweLogin(tenant.code, wrongSigner), 401, 'invalid_credentials');
      expectProblem(
        await siweLogin(tenant.code, { message: 'hello', signature: proof.signature }),
        401,
        'invalid_credentials',
      );
      // a nonce is the tenant's own
      const elsewhere = await methodTenant(['email_otp', 'siwe']);
      const foreign = await siweProof(elsewhere.code);
      expectProblem(await siweLogin(tenant.code, foreign), 401, 'challenge_invalid');
    });

    // --- Privy, lockout and unlock, phone linking ----------------------------------------------

    const privyDid = () => `did:privy:${randomHex(12)}`;
    /** A Privy app made here: a P-256 key pair whose public half is the tenant's verification key. */
    const fakePrivy = async (appId = `app-${randomHex(8)}`) => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      const settings = { app_id: appId, verification_key: await exportSPKI(pair.publicKey) };
      const token = (claims: Record<string, unknown>, ttl = 3600) => {
        const now = Math.floor(env.clock.now() / 1000);
        return new SignJWT({ iss: 'privy.io', aud: appId, iat: now, exp: now + ttl, ...claims })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
          .sign(pair.privateKey);
      };
      return { appId, settings, token };
    };
    /** A tenant accepting Privy (and email codes) with `privy`'s settings. */
    const privyTenant = async (privy: Awaited<ReturnType<typeof fakePrivy>>) => {
      const tenant = await seedTenant();
      await allow(tenant, ['email_otp', 'privy']);
      const patched = await call('PATCH', `/tenants/${tenant.id}`, {
        apiKey: tenant.apiKey,
        body: { auth_settings: { privy: privy.settings } },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.auth_settings.privy).toMatchObject({ app_id: privy.appId });
      return tenant;
    };
    const privyLogin = (tenantCode: string, token: string) =>
      call('POST', '/auth/login', { body: { provider: 'privy', token, tenant_code: tenantCode } });

    it('privy: a token signed with the app key signs a DID up, then in again; wrong audience, key and expiry are refused', async () => {
      const privy = await fakePrivy();
      const bare = await seedTenant();
      await allow(bare, ['email_otp', 'privy']);
      expectProblem(
        await privyLogin(bare.code, await privy.token({ sub: privyDid() })),
        403,
        'provider_not_configured',
      );
      const notP256 = await call('PATCH', `/tenants/${bare.id}`, {
        apiKey: bare.apiKey,
        body: {
          auth_settings: {
            privy: {
              app_id: privy.appId,
              verification_key: await exportSPKI(
                (await generateKeyPair('RS256', { extractable: true })).publicKey,
              ),
            },
          },
        },
      });
      expectProblem(notP256, 400, 'validation_failed');

      const tenant = await privyTenant(privy);
      const did = privyDid();
      const first = await privyLogin(tenant.code, await privy.token({ sub: did }));
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.person.email).toBeNull();
      const me = await call('GET', '/auth/me', { token: first.body.token });
      expect(me.body.session.amr).toEqual(['privy']);
      const identities = await call('GET', '/auth/identities', { token: first.body.token });
      expect(identities.body.data).toMatchObject([{ provider: 'privy', subject: did }]);
      const again = await privyLogin(tenant.code, await privy.token({ sub: did }));
      expect(again.body.person.id).toBe(first.body.person.id);

      expectProblem(
        await privyLogin(tenant.code, await privy.token({ sub: did, aud: 'another-app' })),
        401,
        'provider_token_invalid',
      );
      expectProblem(
        await privyLogin(tenant.code, await privy.token({ sub: did, iss: 'privy.example' })),
        401,
        'provider_token_invalid',
      );
      const stranger = await fakePrivy(privy.appId);
      expectProblem(
        await privyLogin(tenant.code, await stranger.token({ sub: did })),
        401,
        'provider_token_invalid',
      );
      expectProblem(
        await privyLogin(tenant.code, await privy.token({ sub: 'not-a-did' })),
        401,
        'provider_token_invalid',
      );
      const old = await privy.token({ sub: did }, 60);
      env.clock.advance(60 + TOLERANCE + 1);
      expectProblem(await privyLogin(tenant.code, old), 401, 'token_expired');
      expectProblem(
        await privyLogin((await seedTenant()).code, await privy.token({ sub: did })),
        403,
        'provider_not_allowed',
      );
    });

    it('privy bearer: a Privy access token works on user routes (one session per Privy session), tenant by app id or X-Enforcer-Tenant', async () => {
      const privy = await fakePrivy();
      const tenant = await privyTenant(privy);
      const did = privyDid();
      expectProblem(
        await call('GET', '/auth/me', { token: await privy.token({ sub: did, sid: 'early' }) }),
        403,
        'not_a_member',
      );
      const signedUp = await privyLogin(tenant.code, await privy.token({ sub: did }));
      expect(signedUp.status).toBe(200);
      const bearer = await privy.token({ sub: did, sid: 'privy-session-1' });
      const me = await call('GET', '/auth/me', { token: bearer });
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body.account.id).toBe(signedUp.body.account.id);
      expect(me.body.tenant.id).toBe(tenant.id);
      expect(me.body.session.amr).toEqual(['privy']);
      env.clock.advance(5);
      const later = await call('GET', '/auth/me', {
        token: await privy.token({ sub: did, sid: 'privy-session-1' }),
      });
      expect(later.body.session.id).toBe(me.body.session.id);
      const other = await call('GET', '/auth/me', {
        token: await privy.token({ sub: did, sid: 'privy-session-2' }),
      });
      expect(other.status).toBe(200);
      expect(other.body.session.id).not.toBe(me.body.session.id);
      expect((await call('GET', '/auth/permissions', { token: bearer })).status).toBe(200);
      expectProblem(await call('GET', '/revocations', { token: bearer }), 403, 'credential_not_allowed');

      // a logout ends that Privy session for every later token of it
      expect((await call('POST', '/auth/logout', { token: bearer, body: {} })).status).toBe(204);
      expectProblem(
        await call('GET', '/auth/me', { token: await privy.token({ sub: did, sid: 'privy-session-1' }) }),
        401,
        'token_invalid',
      );
      // another key, expiry, an app nobody uses
      const forged = await fakePrivy(privy.appId);
      expectProblem(
        await call('GET', '/auth/me', { token: await forged.token({ sub: did, sid: 'x' }) }),
        401,
        'provider_token_invalid',
      );
      const short = await privy.token({ sub: did, sid: 'short' }, 30);
      env.clock.advance(30 + TOLERANCE + 1);
      expectProblem(await call('GET', '/auth/me', { token: short }), 401, 'token_expired');
      const nobody = await fakePrivy();
      expectProblem(
        await call('GET', '/auth/me', { token: await nobody.token({ sub: did }) }),
        401,
        'provider_token_invalid',
      );

      // two tenants on one app: name the tenant
      const shared = await fakePrivy();
      const one = await privyTenant(shared);
      const two = await privyTenant(shared);
      expect((await privyLogin(two.code, await shared.token({ sub: did }))).status).toBe(200);
      const sharedBearer = await shared.token({ sub: did, sid: 'shared-1' });
      expectProblem(await call('GET', '/auth/me', { token: sharedBearer }), 400, 'bad_request');
      const named = await call('GET', '/auth/me', {
        token: sharedBearer,
        headers: { 'x-enforcer-tenant': two.code.toLowerCase() },
      });
      expect(named.status, JSON.stringify(named.body)).toBe(200);
      expect(named.body.tenant.id).toBe(two.id);
      expectProblem(
        await call('GET', '/auth/me', { token: sharedBearer, headers: { 'x-enforcer-tenant': one.code } }),
        403,
        'not_a_member',
      );
      expectProblem(
        await call('GET', '/auth/me', {
          token: sharedBearer,
          headers: { 'x-enforcer-tenant': 'ZZZZ-ZZZZ-ZZZZ' },
        }),
        401,
        'provider_token_invalid',
      );
      expectProblem(
        await call('GET', '/auth/me', {
          token: await privy.token({ sub: did }),
          headers: { 'x-enforcer-tenant': two.code },
        }),
        401,
        'provider_token_invalid',
      );
    });

    it('lockout: the 15th failure locks the account (403 account_locked, every method) until POST /accounts/{id}/unlock', async () => {
      const { tenant, who } = await passwordUser();
      let last: Answer | undefined;
      for (let i = 1; i <= 15; i++) {
        last = await passwordLogin(tenant.code, who, `wrong password ${i}`);
        if (i < 15 && last.status === 429) env.clock.advance(Number(last.headers.get('retry-after')));
      }
      expectProblem(last!, 403, 'account_locked');
      expectProblem(await passwordLogin(tenant.code, who), 403, 'account_locked');
      env.clock.advance(7 * 86_400);
      expectProblem(await passwordLogin(tenant.code, who), 403, 'account_locked');
      const otp = await call('POST', '/auth/otp/request', { body: { email: who, tenant_code: tenant.code } });
      expectProblem(
        await call('POST', '/auth/login', {
          body: { provider: 'email_otp', email: who, otp: otp.body.code, tenant_code: tenant.code },
        }),
        403,
        'account_locked',
      );

      const accounts = await call('GET', '/accounts', { apiKey: tenant.apiKey });
      expect(accounts.status).toBe(200);
      const accountId = accounts.body.data.find((a: { email: string }) => a.email === who).id as string;
      const unlock = (options: { token?: string; apiKey?: string }) =>
        call('POST', `/accounts/${accountId}/unlock`, options);
      const member = sdk({ permissions: false });
      await signIn(member, tenant.code);
      expectProblem(await unlock({ token: (await member.getAccessToken())! }), 403, 'forbidden');
      expectProblem(await unlock({ apiKey: (await seedTenant()).apiKey }), 404, 'not_found');
      const lifted = await unlock({ apiKey: tenant.apiKey });
      expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
      expect(lifted.body).toEqual({ was_locked: true, was_throttled: true });
      expect((await unlock({ apiKey: tenant.apiKey })).body).toEqual({
        was_locked: false,
        was_throttled: false,
      });
      expect((await passwordLogin(tenant.code, who)).status).toBe(200);
    });

    it('phone linking: a proven phone is linked (201, then 200), then signs in as that person; wrong or login-purpose codes are 401, a phone of someone else 409', async () => {
      const tenant = await seedTenant();
      await allow(tenant, ['email_otp', 'phone_otp']);
      const enforcer = sdk({ permissions: false });
      await signIn(enforcer, tenant.code);
      const token = (await enforcer.getAccessToken())!;
      const phone = `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      const phoneCode = async () => {
        const sent = await call('POST', '/auth/otp/request', { body: { phone } });
        expect(sent.status, JSON.stringify(sent.body)).toBe(200);
        expect(sent.body.channel).toBe('sms');
        return sent.body.code as string;
      };
      const link = (otp: string, bearer = token) =>
        call('POST', '/auth/identities/phone', { token: bearer, body: { phone, otp } });

      const code = await phoneCode();
      expectProblem(await link(code === '000000' ? '111111' : '000000'), 401, 'invalid_otp');
      const loginCode = await call('POST', '/auth/otp/request', {
        body: { phone, tenant_code: tenant.code },
      });
      expectProblem(await link(loginCode.body.code), 401, 'invalid_otp');
      expectProblem(
        await call('POST', '/auth/identities/phone', { body: { phone, otp: code } }),
        401,
        'unauthenticated',
      );
      const linked = await link(code);
      expect(linked.status, JSON.stringify(linked.body)).toBe(201);
      expect(linked.body).toMatchObject({ provider: 'phone_otp', subject: phone, email: null });
      const again = await link(await phoneCode());
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(linked.body.id);
      const list = await call('GET', '/auth/identities', { token });
      expect(list.body.data.map((i: { provider: string }) => i.provider)).toEqual(['email_otp', 'phone_otp']);

      const issued = await call('POST', '/auth/otp/request', { body: { phone, tenant_code: tenant.code } });
      const byPhone = await call('POST', '/auth/login', {
        body: { provider: 'phone_otp', phone, otp: issued.body.code, tenant_code: tenant.code },
      });
      expect(byPhone.status, JSON.stringify(byPhone.body)).toBe(200);
      expect(byPhone.body.person.id).toBe(signedIn(enforcer).person.id);

      const stranger = sdk({ permissions: false });
      await signIn(stranger, tenant.code);
      expectProblem(
        await link(await phoneCode(), (await stranger.getAccessToken())!),
        409,
        'identity_already_linked',
      );
    });

    // --- passkeys ----------------------------------------------------------------------------------

    const PASSKEY_ORIGIN = 'https://app.example.com';
    const PASSKEY = { rp_id: 'example.com', rp_name: 'Acme Pay', origins: [PASSKEY_ORIGIN] };

    it('passkeys: register, list, sign in (discoverable, by email, via /auth/login); single-use challenges, origin, rp id, expiry and counter checked; delete', async () => {
      const bare = await seedTenant();
      const bareUser = sdk({ permissions: false });
      await signIn(bareUser, bare.code);
      expectProblem(
        await call('POST', '/auth/passkey/register/begin', {
          token: (await bareUser.getAccessToken())!,
          body: {},
        }),
        403,
        'provider_not_allowed',
      );
      await allow(bare, ['email_otp', 'passkey']);
      expectProblem(
        await call('POST', '/auth/passkey/login/begin', { body: { tenant_code: bare.code } }),
        403,
        'provider_not_configured',
      );

      const tenant = await seedTenant();
      await allow(tenant, ['email_otp', 'passkey']);
      const patched = await call('PATCH', `/tenants/${tenant.id}`, {
        apiKey: tenant.apiKey,
        body: { auth_settings: { passkey: PASSKEY } },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const enforcer = sdk({ permissions: false });
      const { email: who } = await signIn(enforcer, tenant.code);
      const token = (await enforcer.getAccessToken())!;
      const person = signedIn(enforcer).person.id;

      const begun = await call('POST', '/auth/passkey/register/begin', { token, body: { name: 'Laptop' } });
      expect(begun.status, JSON.stringify(begun.body)).toBe(200);
      const { options } = begun.body;
      expect(options.rp).toEqual({ id: 'example.com', name: 'Acme Pay' });
      expect(Buffer.from(options.challenge, 'base64url').length).toBe(32);
      expect(Buffer.from(options.user.id, 'base64url').toString()).toBe(person);
      expect(options.authenticatorSelection).toMatchObject({
        residentKey: 'required',
        userVerification: 'required',
      });
      expect(new Date(begun.body.expires_at).getTime() - env.clock.now()).toBe(300_000);
      const authenticator = new SoftAuthenticator({ origin: PASSKEY_ORIGIN });
      const made = authenticator.create(options);
      const finish = (challengeId: string, credential: unknown) =>
        call('POST', '/auth/passkey/register/finish', {
          token,
          body: { challenge_id: challengeId, credential },
        });
      const registered = await finish(begun.body.challenge_id, made.response);
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      expect(registered.body).toMatchObject({
        credential_id: made.response.id,
        name: 'Laptop',
        rp_id: 'example.com',
        device_type: 'singleDevice',
        backed_up: false,
        last_used_at: null,
      });
      expectProblem(await finish(begun.body.challenge_id, made.response), 401, 'challenge_invalid');
      // a wrong origin is refused, and the challenge is spent anyway
      const again = await call('POST', '/auth/passkey/register/begin', { token, body: {} });
      expect(again.body.options.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([
        made.response.id,
      ]);
      const elsewhere = new SoftAuthenticator({ origin: 'https://evil.example.net' });
      expectProblem(
        await finish(again.body.challenge_id, elsewhere.create(again.body.options).response),
        401,
        'invalid_credentials',
      );
      expectProblem(
        await finish(again.body.challenge_id, authenticator.create(again.body.options).response),
        401,
        'challenge_invalid',
      );
      const listed = await call('GET', '/auth/passkey/credentials', { token });
      expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([registered.body.id]);
      const identities = await call('GET', '/auth/identities', { token });
      expect(identities.body.data.map((i: { provider: string }) => i.provider)).toEqual([
        'email_otp',
        'passkey',
      ]);

      const loginBegin = (body: Record<string, unknown> = {}) =>
        call('POST', '/auth/passkey/login/begin', { body: { tenant_code: tenant.code, ...body } });
      const loginFinish = (challengeId: string, credential: unknown) =>
        call('POST', '/auth/passkey/login/finish', {
          body: { tenant_code: tenant.code, challenge_id: challengeId, credential },
        });
      const discoverable = await loginBegin();
      expect(discoverable.status, JSON.stringify(discoverable.body)).toBe(200);
      expect(discoverable.body.options.rpId).toBe('example.com');
      expect(discoverable.body.options.allowCredentials ?? []).toEqual([]);
      const assertion = authenticator.get(discoverable.body.options);
      const login = await loginFinish(discoverable.body.challenge_id, assertion);
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect(login.body.person.id).toBe(person);
      expect(decodeJwt(login.body.token).amr).toEqual(['hwk']);
      expectProblem(await loginFinish(discoverable.body.challenge_id, assertion), 401, 'challenge_invalid');

      // by email: the person's passkeys; an unknown email gets one stable stand-in
      const byEmail = await loginBegin({ email: who });
      expect(byEmail.body.options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([
        made.response.id,
      ]);
      const viaLogin = await call('POST', '/auth/login', {
        body: {
          provider: 'passkey',
          tenant_code: tenant.code,
          challenge_id: byEmail.body.challenge_id,
          credential: authenticator.get(byEmail.body.options),
        },
      });
      expect(viaLogin.status, JSON.stringify(viaLogin.body)).toBe(200);
      const nobody = email('nobody');
      const decoy = (await loginBegin({ email: nobody })).body.options.allowCredentials;
      expect(decoy).toHaveLength(1);
      expect((await loginBegin({ email: nobody })).body.options.allowCredentials).toEqual(decoy);

      // wrong origin, wrong rp id, no user verification, expired challenge, counter going back
      for (const overrides of [
        { origin: 'https://evil.example.net' },
        { rpId: 'evil.example.net' },
        { noUserVerification: true },
      ]) {
        const challenge = await loginBegin();
        expectProblem(
          await loginFinish(
            challenge.body.challenge_id,
            authenticator.get(challenge.body.options, overrides),
          ),
          401,
          'invalid_credentials',
        );
      }
      const slow = await loginBegin();
      env.clock.advance(301);
      expectProblem(
        await loginFinish(slow.body.challenge_id, authenticator.get(slow.body.options)),
        401,
        'challenge_invalid',
      );
      const cloned = await loginBegin();
      expectProblem(
        await loginFinish(cloned.body.challenge_id, authenticator.get(cloned.body.options, { counter: 1 })),
        401,
        'invalid_credentials',
      );
      const fresh = await loginBegin();
      const later = await loginFinish(
        fresh.body.challenge_id,
        authenticator.get(fresh.body.options, { counter: 100 }),
      );
      expect(later.status).toBe(200);
      const used = await call('GET', '/auth/passkey/credentials', { token: later.body.token });
      expect(used.body.data[0].last_used_at).not.toBeNull();

      // delete: another person's is a 404; then it no longer signs in
      const stranger = sdk({ permissions: false });
      await signIn(stranger, tenant.code);
      expectProblem(
        await call('DELETE', `/auth/passkey/credentials/${registered.body.id}`, {
          token: (await stranger.getAccessToken())!,
        }),
        404,
        'not_found',
      );
      const mine = later.body.token as string;
      expect(
        (await call('DELETE', `/auth/passkey/credentials/${registered.body.id}`, { token: mine })).status,
      ).toBe(204);
      expect((await call('GET', '/auth/passkey/credentials', { token: mine })).body.data).toEqual([]);
      const gone = await loginBegin();
      expectProblem(
        await loginFinish(
          gone.body.challenge_id,
          authenticator.get(gone.body.options, { credential: made.credential }),
        ),
        401,
        'invalid_credentials',
      );
    });

    it('linking: list, link (201, then 200), 409 identity_already_linked, unlink, 404, 409 last_identity', async () => {
      const tenant = await methodTenant(['email_otp', 'google', 'siwe']);
      const enforcer = sdk({ permissions: false });
      const { email: who } = await signIn(enforcer, tenant.code);
      const token = (await enforcer.getAccessToken())!;
      const sub = googleSub();
      const google = await call('POST', '/auth/identities/google', {
        token,
        body: await googleProof({ sub }),
      });
      expect(google.status, JSON.stringify(google.body)).toBe(201);
      env.clock.advance(1); // the list is oldest first (ties by id)
      const wallet = await siweProof(tenant.code);
      const linkedWallet = await call('POST', '/auth/identities/siwe', {
        token,
        body: { message: wallet.message, signature: wallet.signature },
      });
      expect(linkedWallet.status, JSON.stringify(linkedWallet.body)).toBe(201);
      expect(linkedWallet.body).toMatchObject({
        provider: 'siwe',
        subject: wallet.account.address,
        email: null,
      });
      const list = await call('GET', '/auth/identities', { token });
      expect(list.status).toBe(200);
      expect(list.body.data.map((i: { provider: string }) => i.provider)).toEqual([
        'email_otp',
        'google',
        'siwe',
      ]);
      expect(list.body.data[0]).toMatchObject({ id: null, subject: who, email: who });

      // someone else cannot take the Google account or the wallet
      const stranger = sdk({ permissions: false });
      await signIn(stranger, tenant.code);
      const strangerToken = (await stranger.getAccessToken())!;
      expectProblem(
        await call('POST', '/auth/identities/google', {
          token: strangerToken,
          body: await googleProof({ sub }),
        }),
        409,
        'identity_already_linked',
      );
      const stolen = await siweProof(tenant.code, wallet.account);
      expectProblem(
        await call('POST', '/auth/identities/siwe', {
          token: strangerToken,
          body: { message: stolen.message, signature: stolen.signature },
        }),
        409,
        'identity_already_linked',
      );
      // a proof that fails is refused as at sign-in
      expectProblem(
        await call('POST', '/auth/identities/google', { token, body: await googleProof({ aud: 'nope' }) }),
        401,
        'provider_token_invalid',
      );

      // unlink: another person's id is a 404 like an unknown one
      expectProblem(
        await call('DELETE', `/auth/identities/${google.body.id}`, { token: strangerToken }),
        404,
        'not_found',
      );
      expect((await call('DELETE', `/auth/identities/${google.body.id}`, { token })).status).toBe(204);
      expectProblem(await call('DELETE', `/auth/identities/${google.body.id}`, { token }), 404, 'not_found');
      const after = await call('GET', '/auth/identities', { token });
      expect(after.body.data.map((i: { provider: string }) => i.provider)).toEqual(['email_otp', 'siwe']);

      // a wallet-only person cannot remove their only way in
      const solo = await siweLogin(tenant.code, await siweProof(tenant.code));
      expect(solo.status).toBe(200);
      const soloList = await call('GET', '/auth/identities', { token: solo.body.token });
      expectProblem(
        await call('DELETE', `/auth/identities/${soloList.body.data[0].id}`, { token: solo.body.token }),
        409,
        'last_identity',
      );
      // linking a method the tenant does not accept: 403 provider_not_allowed
      const emailOnly = await seedTenant();
      const elsewhere = sdk({ permissions: false });
      await signIn(elsewhere, emailOnly.code);
      expectProblem(
        await call('POST', '/auth/identities/google', {
          token: (await elsewhere.getAccessToken())!,
          body: await googleProof(),
        }),
        403,
        'provider_not_allowed',
      );
    });
  });
}
