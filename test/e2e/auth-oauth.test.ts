// Social sign-in (#17): the authorization code flow with PKCE, driven over HTTP against a real OpenID
// Provider in-process (oidc-provider: its login and consent pages, cookies, code, token endpoint, JWKS),
// and against a hand-made provider for the ID tokens a correct provider never issues.
import { ManualClock, totpCode } from '@enforcer/server/testing';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, uniqueEmail } from './admin-setup.js';
import { startServer } from './harness.js';
import { APP_CHALLENGE, APP_VERIFIER } from './oauth-app.js';
import {
  type HandMadeProvider,
  passProvider,
  startHandMadeProvider,
  startRealProvider,
} from './oidc-providers.js';

const clock = new ManualClock(new Date());
const server = await startServer({ clock });
const { api } = server;
const APP = 'http://localhost:5173/auth/callback';
const callbackOf = (name: string) => `${server.config.issuer}/auth/oauth/${name}/callback`;

const op = await startRealProvider([
  { client_id: 'enforcer-test', client_secret: 'op-secret-1', redirect_uris: [callbackOf('corp')] },
]);
const handMade: HandMadeProvider = await startHandMadeProvider(() => clock.now());
afterAll(async () => {
  await op.close();
  await handMade.close();
});

const seeded = await seedTenant(server, 'Social Bank');
const { tenant, owner } = seeded;
await server.db.updateTenant(tenant.id, { authProviders: ['email_otp', 'oauth'], allowSignup: true });
const put = await api('PUT', `/tenants/${tenant.id}/oauth`, {
  token: owner.token,
  body: {
    providers: [
      {
        name: 'corp',
        kind: 'oidc',
        issuer: op.issuer,
        client_id: 'enforcer-test',
        client_secret: 'op-secret-1',
      },
      {
        name: 'handmade',
        kind: 'oidc',
        issuer: handMade.issuer,
        client_id: 'handmade-client',
        client_secret: 'handmade-secret',
        token_endpoint_auth: 'client_secret_post',
      },
    ],
    redirect_urls: [APP],
  },
});
expect(put.status, JSON.stringify(put.body)).toBe(200);

/** A browser request that does not follow redirects. */
const visit = (url: string) => fetch(url, { redirect: 'manual' });
/** Enforcer's callback as the provider sent it (the configured issuer) → this test server's address. */
const onServer = (callbackUrl: string) => callbackUrl.replace(server.config.issuer, server.baseUrl);

/** Starts sign-in at Enforcer, passes the provider as `login`, answers the callback URL (not yet visited). */
async function throughProvider(
  provider: string,
  login: string,
  authorizationUrl?: string,
  abort = false,
): Promise<string> {
  let url = authorizationUrl;
  if (!url) {
    const start = await visit(
      `${server.baseUrl}/auth/oauth/${provider}/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
    );
    expect(start.status, await start.clone().text()).toBe(302);
    url = start.headers.get('location')!;
  }
  return onServer(await passProvider({ authorizationUrl: url, login, stopAt: callbackOf(provider), abort }));
}

/** Visits the callback; answers where Enforcer sends the browser. */
async function callback(url: string): Promise<URL> {
  const answer = await visit(url);
  expect(answer.status, await answer.clone().text()).toBe(302);
  return new URL(answer.headers.get('location')!);
}

const exchange = (code: string, token?: string) =>
  api('POST', '/auth/oauth/exchange', {
    body: { code, code_verifier: APP_VERIFIER },
    ...(token && { token }),
  });

async function signInAs(login: string) {
  const back = await callback(await throughProvider('corp', login));
  expect(`${back.origin}${back.pathname}`).toBe(APP);
  const code = back.searchParams.get('code')!;
  expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { code, answer: await exchange(code) };
}

describe('social sign-in: settings', () => {
  it('answers the providers without their secrets; a provider sent without a secret keeps it', async () => {
    const read = await api('GET', `/tenants/${tenant.id}/oauth`, { token: owner.token });
    expect(read.status).toBe(200);
    expect(read.body.redirect_urls).toEqual([APP]);
    expect(read.body.providers[0]).toEqual({
      name: 'corp',
      kind: 'oidc',
      issuer: op.issuer,
      client_id: 'enforcer-test',
      client_secret_set: true,
      scopes: ['openid', 'email', 'profile'],
      token_endpoint_auth: 'client_secret_basic',
    });
    expect(JSON.stringify(read.body)).not.toContain('op-secret-1');
    const row = await server.db.records('oauthSettings').one({ tenant: tenant.id });
    const stored = JSON.stringify(row.providers);
    expect(stored).not.toContain('op-secret-1');
    expect(stored).toContain('clientSecretSealed');
  });

  it('the microsoft preset: its audience and allowed directories answered; its settings only for it', async () => {
    const other = await seedTenant(server, 'Microsoft settings');
    const contoso = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const put = (providers: unknown[]) =>
      api('PUT', `/tenants/${other.tenant.id}/oauth`, {
        token: other.owner.token,
        body: { providers, redirect_urls: [APP] },
      });
    const set = await put([
      {
        name: 'microsoft',
        kind: 'microsoft',
        client_id: 'ms-app',
        client_secret: 'ms-secret',
        allowed_tenant_ids: [contoso],
      },
      {
        name: 'entra',
        kind: 'microsoft',
        microsoft_tenant: contoso,
        client_id: 'ms-app',
        client_secret: 's',
      },
    ]);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.providers[0]).toMatchObject({
      kind: 'microsoft',
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      microsoft_tenant: 'common',
      allowed_tenant_ids: [contoso],
      token_endpoint_auth: 'client_secret_basic',
    });
    expect(set.body.providers[1].issuer).toBe(`https://login.microsoftonline.com/${contoso}/v2.0`);
    for (const wrong of [
      { name: 'ms', kind: 'microsoft', client_id: 'c', client_secret: 's', microsoft_tenant: 'everyone' },
      { name: 'ms', kind: 'microsoft', client_id: 'c', client_secret: 's', allowed_tenant_ids: ['x'] },
      {
        name: 'ms',
        kind: 'oidc',
        issuer: op.issuer,
        client_id: 'c',
        client_secret: 's',
        microsoft_tenant: 'common',
      },
      { name: 'ms', kind: 'microsoft', client_id: 'c', client_secret: 's', issuer: 'https://evil.example' },
    ]) {
      expectProblem(await put([wrong]), 400, 'validation_failed');
    }
  });

  it('PUT /tenants/{id}/auth-provider takes the providers with the methods, in one change or none', async () => {
    const other = await seedTenant(server, 'Methods and providers');
    const providers = [
      { name: 'corp', kind: 'oidc', issuer: op.issuer, client_id: 'c', client_secret: 'sso-1' },
    ];
    const set = await api('PUT', `/tenants/${other.tenant.id}/auth-provider`, {
      token: other.owner.token,
      body: { providers: ['email_otp', 'oauth'], oauth: { providers, redirect_urls: [APP] } },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.auth_providers).toEqual(['email_otp', 'oauth']);
    const read = await api('GET', `/tenants/${other.tenant.id}/oauth`, { token: other.owner.token });
    expect(read.body).toEqual({
      providers: [expect.objectContaining({ name: 'corp', issuer: op.issuer, client_secret_set: true })],
      redirect_urls: [APP],
    });
    expect(JSON.stringify(read.body)).not.toContain('sso-1');
    const [audit] = await server.db.auditEvents({
      action: 'tenant.oauth.updated',
      targetId: other.tenant.id,
    });
    expect(JSON.stringify(audit)).not.toContain('sso-1');
    // Bad providers: nothing changes, the methods neither.
    expectProblem(
      await api('PUT', `/tenants/${other.tenant.id}/auth-provider`, {
        token: other.owner.token,
        body: {
          providers: ['email_otp'],
          oauth: {
            providers: [{ name: 'okta', kind: 'oidc', client_id: 'c', client_secret: 's' }],
            redirect_urls: [],
          },
        },
      }),
      400,
      'validation_failed',
    );
    const after = await api('GET', `/tenants/${other.tenant.id}`, { token: other.owner.token });
    expect(after.body.auth_providers).toEqual(['email_otp', 'oauth']);
    expect(
      (await api('GET', `/tenants/${other.tenant.id}/oauth`, { token: other.owner.token })).body,
    ).toEqual(read.body);
    // Without `oauth` the providers are left as they are.
    await api('PUT', `/tenants/${other.tenant.id}/auth-provider`, {
      token: other.owner.token,
      body: { providers: ['oauth'] },
    });
    expect(
      (await api('GET', `/tenants/${other.tenant.id}/oauth`, { token: other.owner.token })).body,
    ).toEqual(read.body);
  });

  it('the google preset fixes its issuer; an oidc provider needs one; only the tenant admin may set them', async () => {
    const body = (providers: unknown[]) => ({ body: { providers, redirect_urls: [APP] } });
    const other = await seedTenant(server, 'Other');
    const set = await api('PUT', `/tenants/${other.tenant.id}/oauth`, {
      token: other.owner.token,
      ...body([
        { name: 'google', kind: 'google', client_id: 'x.apps.googleusercontent.com', client_secret: 'g' },
      ]),
    });
    expect(set.body.providers[0].issuer).toBe('https://accounts.google.com');
    expectProblem(
      await api('PUT', `/tenants/${other.tenant.id}/oauth`, {
        token: other.owner.token,
        ...body([{ name: 'okta', kind: 'oidc', client_id: 'c', client_secret: 's' }]),
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('PUT', `/tenants/${tenant.id}/oauth`, { token: other.owner.token, ...body([]) }),
      404,
      'not_found',
    );
    expectProblem(
      await api('PUT', `/tenants/${other.tenant.id}/oauth`, { token: other.member.token, ...body([]) }),
      403,
      'forbidden',
    );
  });
});

describe('social sign-in: the redirect flow against oidc-provider', () => {
  it('signs a new person in: PKCE, state and nonce sent; the code is traded for the token pair', async () => {
    const email = uniqueEmail('alice');
    op.accounts.set('alice', { email, email_verified: true });
    const start = await visit(
      `${server.baseUrl}/auth/oauth/corp/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
    );
    const authorization = new URL(start.headers.get('location')!);
    expect(authorization.origin).toBe(op.issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('state')).toBeTruthy();
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(authorization.searchParams.get('redirect_uri')).toBe(callbackOf('corp'));
    const flow = await server.db.records('oauthFlows').one({
      stateHash: { $ne: authorization.searchParams.get('state')! },
      createdAt: { $gte: new Date(0) },
      redirectUri: APP,
      stateSpentAt: null,
    });
    expect(flow.stateHash).not.toBe(authorization.searchParams.get('state'));
    const back = await callback(await throughProvider('corp', 'alice', authorization.href));
    expect(back.searchParams.has('token')).toBe(false);
    const signedIn = await exchange(back.searchParams.get('code')!);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.person).toMatchObject({ email, email_verified: true });
    expect(signedIn.body.tenant.code).toBe(tenant.code);
    expect(decodeJwt(signedIn.body.token).amr).toEqual(['oauth']);
    const identities = await api('GET', '/auth/identities', { token: signedIn.body.token });
    expect(identities.body.data).toContainEqual(
      expect.objectContaining({ provider: 'oidc', subject: `${op.issuer}|alice`, email }),
    );

    // The same identity again: the same person.
    const again = await signInAs('alice');
    expect(again.answer.body.person.id).toBe(signedIn.body.person.id);
  });

  it('the POST variant answers the authorization URL for single-page apps', async () => {
    op.accounts.set('spa', { email: uniqueEmail('spa'), email_verified: true });
    const started = await api('POST', '/auth/oauth/corp/authorize', {
      body: { tenant_code: tenant.code, redirect_uri: APP, code_challenge: APP_CHALLENGE },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const back = await callback(await throughProvider('corp', 'spa', started.body.authorization_url));
    expect((await exchange(back.searchParams.get('code')!)).status).toBe(200);
  });

  it('refuses a redirect URL not on the allow-list before any redirect', async () => {
    for (const target of ['https://evil.example/cb', `${APP}/`, `${APP}?x=1`, 'javascript:alert(1)']) {
      const start = await visit(
        `${server.baseUrl}/auth/oauth/corp/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(target)}&code_challenge=${APP_CHALLENGE}`,
      );
      expect(start.status).toBe(400);
      expect(start.headers.get('location')).toBeNull();
      expect((await start.json()).code).toBe('redirect_uri_not_allowed');
    }
    expectProblem(
      await api('POST', '/auth/oauth/corp/authorize', {
        body: {
          tenant_code: tenant.code,
          redirect_uri: 'https://evil.example/cb',
          code_challenge: APP_CHALLENGE,
        },
      }),
      400,
      'redirect_uri_not_allowed',
    );
  });

  it('a wrong state is refused without a redirect', async () => {
    const answer = await visit(`${server.baseUrl}/auth/oauth/corp/callback?state=forged-state&code=whatever`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
    expect((await answer.json()).code).toBe('oauth_state_invalid');
    expect((await visit(`${server.baseUrl}/auth/oauth/corp/callback?code=whatever`)).status).toBe(400);
  });

  it('a replayed callback is refused: the transaction is spent on first use', async () => {
    op.accounts.set('replay', { email: uniqueEmail('replay'), email_verified: true });
    const url = await throughProvider('corp', 'replay');
    await callback(url);
    const replay = await visit(url);
    expect(replay.status).toBe(400);
    expect((await replay.json()).code).toBe('oauth_state_invalid');
  });

  it('a state is spent even when the callback fails (the person cancels at the provider)', async () => {
    const url = new URL(await throughProvider('corp', 'nobody', undefined, true));
    expect(url.searchParams.get('error')).toBe('access_denied');
    const back = await callback(url.href);
    expect(back.searchParams.get('error')).toBe('provider_token_invalid');
    expect(back.searchParams.get('code')).toBeNull();
    expect((await visit(url.href)).status).toBe(400);
  });

  it('an exchange code works once', async () => {
    op.accounts.set('reuse', { email: uniqueEmail('reuse'), email_verified: true });
    const { code, answer } = await signInAs('reuse');
    expect(answer.status).toBe(200);
    expectProblem(await exchange(code), 401, 'oauth_code_invalid');
    expectProblem(await exchange('A'.repeat(43)), 401, 'oauth_code_invalid');
  });

  it('an exchange code expires after 2 minutes', async () => {
    op.accounts.set('slow', { email: uniqueEmail('slow'), email_verified: true });
    const back = await callback(await throughProvider('corp', 'slow'));
    clock.advance(121);
    expectProblem(await exchange(back.searchParams.get('code')!), 401, 'oauth_code_invalid');
  });

  it('an expired transaction (10 minutes) is refused at the callback', async () => {
    op.accounts.set('late', { email: uniqueEmail('late'), email_verified: true });
    const url = await throughProvider('corp', 'late');
    clock.advance(601);
    const late = await visit(url);
    expect(late.status).toBe(400);
    expect((await late.json()).code).toBe('oauth_state_invalid');
  });

  it('an unverified email matching an existing person is not linked to them', async () => {
    op.accounts.set('mallory', { email: owner.email, email_verified: false });
    const { answer } = await signInAs('mallory');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.person.id).not.toBe(owner.personId);
    expect(answer.body.person.email).toBeNull();
  });

  it('a verified email someone already has is 409 email_in_use: they sign in and link instead', async () => {
    op.accounts.set('twin', { email: seeded.admin.email, email_verified: true });
    const { answer } = await signInAs('twin');
    expectProblem(answer, 409, 'email_in_use');
  });

  it('links an identity to the signed-in person; one linked to someone else is 409', async () => {
    op.accounts.set('linkme', { email: uniqueEmail('linkme'), email_verified: true });
    const link = async (login: string, token: string) => {
      const started = await api('POST', '/auth/oauth/corp/authorize', {
        token,
        body: { tenant_code: tenant.code, redirect_uri: APP, intent: 'link', code_challenge: APP_CHALLENGE },
      });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const back = await callback(await throughProvider('corp', login, started.body.authorization_url));
      return back.searchParams.get('code')!;
    };
    const code = await link('linkme', seeded.member.token);
    // Someone else cannot complete it, nor can it be used to sign in.
    expectProblem(await exchange(code, seeded.admin.token), 403, 'forbidden');
    expectProblem(await exchange(code), 401, 'unauthenticated');
    const linked = await exchange(code, seeded.member.token);
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body).toMatchObject({
      intent: 'link',
      created: true,
      identity: { provider: 'oidc', subject: `${op.issuer}|linkme` },
    });

    // `alice` signed in above: her identity is her own person's.
    expectProblem(
      await exchange(await link('alice', seeded.member.token), seeded.member.token),
      409,
      'identity_already_linked',
    );
    // Linking needs the user token when it starts.
    expectProblem(
      await api('POST', '/auth/oauth/corp/authorize', {
        body: { tenant_code: tenant.code, redirect_uri: APP, intent: 'link', code_challenge: APP_CHALLENGE },
      }),
      401,
      'unauthenticated',
    );
  });

  it('a person with a second factor gets the MFA challenge at the exchange, then the session', async () => {
    op.accounts.set('careful', { email: uniqueEmail('careful'), email_verified: true });
    const first = (await signInAs('careful')).answer.body;
    const enrollment = await api('POST', '/auth/mfa/totp/enroll', { token: first.token });
    expect(enrollment.status, JSON.stringify(enrollment.body)).toBe(200);
    const { secret } = enrollment.body;
    const confirmed = await api('POST', '/auth/mfa/totp/confirm', {
      token: first.token,
      body: { code: await totpCode(secret, clock.now()) },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    clock.advance(30);

    const { answer } = await signInAs('careful');
    const problem = expectProblem(answer, 401, 'mfa_required') as { mfa_token?: string };
    expect(problem.mfa_token).toBeTruthy();
    const verified = await api('POST', '/auth/mfa/verify', {
      body: { mfa_token: problem.mfa_token, code: await totpCode(secret, clock.now()) },
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.person.id).toBe(first.person.id);
    expect(decodeJwt(verified.body.token).amr).toEqual(['oauth', 'totp', 'mfa']);
  });

  it('a tenant that does not accept oauth, or an unknown provider name, is refused', async () => {
    expectProblem(
      await api('POST', '/auth/oauth/nope/authorize', {
        body: { tenant_code: tenant.code, redirect_uri: APP, code_challenge: APP_CHALLENGE },
      }),
      403,
      'provider_not_configured',
    );
    await server.db.updateTenant(tenant.id, { authProviders: ['email_otp'] });
    try {
      expectProblem(
        await api('POST', '/auth/oauth/corp/authorize', {
          body: { tenant_code: tenant.code, redirect_uri: APP, code_challenge: APP_CHALLENGE },
        }),
        403,
        'provider_not_allowed',
      );
    } finally {
      await server.db.updateTenant(tenant.id, { authProviders: ['email_otp', 'oauth'] });
    }
  });
});

describe('social sign-in: the one-time code is bound to the app that started the flow', () => {
  /** A verifier other than the app's, as whoever read the code from a URL would send. */
  const STRANGER = 'x'.repeat(43);
  const exchangeWith = (body: Record<string, unknown>, token?: string) =>
    api('POST', '/auth/oauth/exchange', { body, ...(token && { token }) });
  /** How many `action` events of the tenant were refusals for a wrong verifier. */
  const mismatches = async (action: string) =>
    (await server.db.records('auditEvents').find({ action, tenantId: tenant.id })).filter(
      (e) => (e.details as { reason?: string }).reason === 'verifier_mismatch',
    ).length;

  it('stores the challenge with the flow; the start without one (or another method) is 400', async () => {
    const start = await visit(
      `${server.baseUrl}/auth/oauth/corp/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
    );
    expect(start.status).toBe(302);
    const flows = await server.db
      .records('oauthFlows')
      .find({ tenant: tenant.id }, { orderBy: { createdAt: 'desc' }, limit: 1 });
    expect(flows[0]!.clientChallenge).toBe(APP_CHALLENGE);
    // The provider never sees the app's challenge (it gets the flow's own PKCE challenge).
    expect(new URL(start.headers.get('location')!).searchParams.get('code_challenge')).not.toBe(
      APP_CHALLENGE,
    );

    const without = await visit(
      `${server.baseUrl}/auth/oauth/corp/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}`,
    );
    expect(without.status).toBe(400);
    expect(without.headers.get('location')).toBeNull();
    expect((await without.json()).code).toBe('validation_failed');
    expectProblem(
      await api('POST', '/auth/oauth/corp/authorize', {
        body: { tenant_code: tenant.code, redirect_uri: APP },
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api('POST', '/auth/oauth/corp/authorize', {
        body: {
          tenant_code: tenant.code,
          redirect_uri: APP,
          code_challenge: APP_CHALLENGE,
          code_challenge_method: 'plain',
        },
      }),
      400,
      'validation_failed',
    );
  });

  it('a wrong verifier is refused and spends the code: the right one is then refused too', async () => {
    op.accounts.set('leaked', { email: uniqueEmail('leaked'), email_verified: true });
    const back = await callback(await throughProvider('corp', 'leaked'));
    const code = back.searchParams.get('code')!;
    const before = await mismatches('auth.login.failed');
    expectProblem(await exchangeWith({ code, code_verifier: STRANGER }), 401, 'oauth_code_verifier_invalid');
    expect(await mismatches('auth.login.failed')).toBe(before + 1);
    expectProblem(await exchangeWith({ code, code_verifier: APP_VERIFIER }), 401, 'oauth_code_invalid');
  });

  it('a missing verifier is 400 validation_failed before anything is spent; the app then signs in', async () => {
    op.accounts.set('hurried', { email: uniqueEmail('hurried'), email_verified: true });
    const back = await callback(await throughProvider('corp', 'hurried'));
    const code = back.searchParams.get('code')!;
    const missing = expectProblem(await exchangeWith({ code }), 400, 'validation_failed') as {
      errors?: Array<{ path: string }>;
    };
    expect(JSON.stringify(missing.errors)).toContain('code_verifier');
    expectProblem(await exchangeWith({ code, code_verifier: 'short' }), 400, 'validation_failed');
    const signedIn = await exchangeWith({ code, code_verifier: APP_VERIFIER });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    // Replayed with the right verifier: spent.
    expectProblem(await exchangeWith({ code, code_verifier: APP_VERIFIER }), 401, 'oauth_code_invalid');
  });

  it('POST /auth/login with provider oauth takes the same verifier', async () => {
    op.accounts.set('loginroute', { email: uniqueEmail('loginroute'), email_verified: true });
    const login = (code: string, code_verifier?: string) =>
      api('POST', '/auth/login', {
        body: { provider: 'oauth', code, tenant_code: tenant.code, ...(code_verifier && { code_verifier }) },
      });
    const first = (await callback(await throughProvider('corp', 'loginroute'))).searchParams.get('code')!;
    expectProblem(await login(first), 400, 'validation_failed');
    expectProblem(await login(first, STRANGER), 401, 'oauth_code_verifier_invalid');
    expectProblem(await login(first, APP_VERIFIER), 401, 'oauth_code_invalid');
    const second = (await callback(await throughProvider('corp', 'loginroute'))).searchParams.get('code')!;
    const signedIn = await login(second, APP_VERIFIER);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
  });

  it("a link's code is bound too: the person's own token with a wrong verifier is refused and spends it", async () => {
    op.accounts.set('linkbound', { email: uniqueEmail('linkbound'), email_verified: true });
    const started = await api('POST', '/auth/oauth/corp/authorize', {
      token: seeded.member.token,
      body: { tenant_code: tenant.code, redirect_uri: APP, intent: 'link', code_challenge: APP_CHALLENGE },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const back = await callback(await throughProvider('corp', 'linkbound', started.body.authorization_url));
    const code = back.searchParams.get('code')!;
    const before = await mismatches('auth.identity.link_refused');
    expectProblem(
      await exchangeWith({ code, code_verifier: STRANGER }, seeded.member.token),
      401,
      'oauth_code_verifier_invalid',
    );
    expect(await mismatches('auth.identity.link_refused')).toBe(before + 1);
    expectProblem(
      await exchangeWith({ code, code_verifier: APP_VERIFIER }, seeded.member.token),
      401,
      'oauth_code_invalid',
    );
  });
});

describe('social sign-in: ID tokens a provider must not get away with (hand-made provider)', () => {
  const viaHandMade = async () => {
    const start = await visit(
      `${server.baseUrl}/auth/oauth/handmade/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
    );
    expect(start.status).toBe(302);
    const atProvider = await visit(start.headers.get('location')!);
    return callback(onServer(atProvider.headers.get('location')!));
  };

  it('accepts its well-formed token (the control case)', async () => {
    handMade.misbehave('none');
    const back = await viaHandMade();
    expect(back.searchParams.get('error')).toBeNull();
    expect((await exchange(back.searchParams.get('code')!)).status).toBe(200);
  });

  for (const what of ['wrong_nonce', 'foreign_key', 'other_audience'] as const) {
    it(`refuses an ID token with ${what.replace('_', ' ')}: back to the app with an error, no code`, async () => {
      handMade.misbehave(what);
      const back = await viaHandMade();
      expect(back.searchParams.get('code')).toBeNull();
      expect(back.searchParams.get('error')).toBe('provider_token_invalid');
      const reason = {
        wrong_nonce: 'nonce_mismatch',
        foreign_key: 'bad_signature',
        other_audience: 'wrong_audience',
      }[what];
      const [event] = await server.db
        .records('auditEvents')
        .find({ action: 'auth.oauth.failed' }, { orderBy: { createdAt: 'desc' }, limit: 1 });
      expect((event!.details as { reason: string }).reason).toBe(reason);
    });
  }
});

describe('social sign-in: housekeeping', () => {
  it("deletes the tenant's flows a day after they and their codes expired, and only then", async () => {
    // A flow with an exchange code nobody traded, and one never called back.
    op.accounts.set('forgotten', { email: uniqueEmail('forgotten'), email_verified: true });
    await callback(await throughProvider('corp', 'forgotten'));
    await throughProvider('corp', 'forgotten');
    const count = async () => (await server.db.records('oauthFlows').find({ tenant: tenant.id })).length;
    expect(await count()).toBeGreaterThanOrEqual(2);
    clock.advance(600 + 3_600);
    await server.housekeeping();
    const expiredAnHourAgo = await count();
    expect(expiredAnHourAgo).toBeGreaterThanOrEqual(2);
    clock.advance(86_400);
    const deleted = await server.housekeeping();
    expect(deleted.oauthFlows).toBeGreaterThanOrEqual(2);
    expect(await count()).toBe(0);
  });
});
