// Social sign-in with Microsoft (#17): the multi-tenant issuer over HTTP through the real redirect flow,
// against a Microsoft stand-in on loopback (ENFORCER_OAUTH_TEST_ENDPOINTS, accepted only in tests).
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, seedTenant, uniqueEmail } from './admin-setup.js';
import { startServer } from './harness.js';
import { type MicrosoftUser, startFakeMicrosoft } from './microsoft-provider.js';
import { APP_CHALLENGE, APP_VERIFIER } from './oauth-app.js';

const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const FABRIKAM = 'b9c6d8e2-1111-4a3b-9c0d-0123456789ab';
const microsoft = await startFakeMicrosoft({ id: 'ms-app-1', secret: 'ms-secret-1' });
afterAll(() => microsoft.close());
const server = await startServer({
  env: { ENFORCER_OAUTH_TEST_ENDPOINTS: JSON.stringify({ microsoft: microsoft.origin }) },
});
const { api } = server;
const APP = 'http://localhost:5173/auth/callback';

const seeded = await seedTenant(server, 'Contoso Bank');
const { tenant, owner } = seeded;
await server.db.updateTenant(tenant.id, { authProviders: ['email_otp', 'oauth'], allowSignup: true });
const put = await api('PUT', `/tenants/${tenant.id}/oauth`, {
  token: owner.token,
  body: {
    providers: [
      { name: 'microsoft', kind: 'microsoft', client_id: 'ms-app-1', client_secret: 'ms-secret-1' },
      {
        name: 'contoso_only',
        kind: 'microsoft',
        microsoft_tenant: 'organizations',
        allowed_tenant_ids: [CONTOSO],
        client_id: 'ms-app-1',
        client_secret: 'ms-secret-1',
      },
    ],
    redirect_urls: [APP],
  },
});
expect(put.status, JSON.stringify(put.body)).toBe(200);

const visit = (url: string) => fetch(url, { redirect: 'manual' });
const onServer = (url: string) => url.replace(server.config.issuer, server.baseUrl);

async function signInThroughMicrosoft(provider: string, who: MicrosoftUser) {
  microsoft.nextUser(who);
  const start = await visit(
    `${server.baseUrl}/auth/oauth/${provider}/authorize?tenant=${tenant.code}&redirect_uri=${encodeURIComponent(APP)}&code_challenge=${APP_CHALLENGE}`,
  );
  expect(start.status, await start.clone().text()).toBe(302);
  const authorization = new URL(start.headers.get('location')!);
  const atMicrosoft = await visit(authorization.href);
  expect(atMicrosoft.status, await atMicrosoft.clone().text()).toBe(302);
  const back = await visit(onServer(atMicrosoft.headers.get('location')!));
  expect(back.status, await back.clone().text()).toBe(302);
  return { authorization, back: new URL(back.headers.get('location')!) };
}

const lastFailure = async () => {
  const [event] = await server.db
    .records('auditEvents')
    .find({ action: 'auth.oauth.failed' }, { orderBy: { createdAt: 'desc' }, limit: 1 });
  return event?.details as { reason?: string } | undefined;
};
const exchange = (code: string) =>
  api('POST', '/auth/oauth/exchange', { body: { code, code_verifier: APP_VERIFIER } });
let n = 0;
const user = (tid: string, extra: Partial<MicrosoftUser> = {}): MicrosoftUser => ({
  tid,
  sub: `ms-sub-${++n}`,
  email: uniqueEmail('ms'),
  ...extra,
});

describe('social sign-in with Microsoft (common)', () => {
  it("signs in a user whose token's iss is the template with its own tid; the email unverified without xms_edov", async () => {
    const who = user(CONTOSO);
    const { authorization, back } = await signInThroughMicrosoft('microsoft', who);
    expect(authorization.origin).toBe(microsoft.origin);
    expect(authorization.pathname).toBe('/common/oauth2/v2.0/authorize');
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    const signedIn = await exchange(back.searchParams.get('code')!);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    // Microsoft's email claim is not proven: not used for the new person.
    expect(signedIn.body.person.email).toBeNull();
    const identities = await api('GET', '/auth/identities', { token: signedIn.body.token });
    expect(identities.body.data).toContainEqual(
      expect.objectContaining({
        provider: 'oidc',
        subject: `https://login.microsoftonline.com/${CONTOSO}/v2.0|${who.sub}`,
      }),
    );
  });

  it('uses the email with xms_edov; a verified email someone has is 409 email_in_use', async () => {
    const who = user(FABRIKAM, { xmsEdov: true });
    const { back } = await signInThroughMicrosoft('microsoft', who);
    const signedIn = await exchange(back.searchParams.get('code')!);
    expect(signedIn.body.person).toMatchObject({ email: who.email, email_verified: true });
    const twin = await signInThroughMicrosoft(
      'microsoft',
      user(FABRIKAM, { xmsEdov: true, email: seeded.admin.email }),
    );
    expectProblem(await exchange(twin.back.searchParams.get('code')!), 409, 'email_in_use');
  });

  it('refuses a token whose iss names another directory than its tid (back to the app with an error)', async () => {
    const { back } = await signInThroughMicrosoft(
      'microsoft',
      user(FABRIKAM, { iss: `https://login.microsoftonline.com/${CONTOSO}/v2.0` }),
    );
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('provider_token_invalid');
    expect(await lastFailure()).toMatchObject({ reason: 'wrong_issuer' });
  });

  it('refuses the template itself as iss', async () => {
    const { back } = await signInThroughMicrosoft(
      'microsoft',
      user(CONTOSO, { iss: 'https://login.microsoftonline.com/{tenantid}/v2.0' }),
    );
    expect(back.searchParams.get('error')).toBe('provider_token_invalid');
    expect(await lastFailure()).toMatchObject({ reason: 'wrong_issuer' });
  });
});

describe('social sign-in with Microsoft (organizations, allowed directories)', () => {
  it('goes to the organizations endpoint and accepts an allowed directory', async () => {
    const { back } = await signInThroughMicrosoft('contoso_only', user(CONTOSO));
    expect(microsoft.lastAudience()).toBe('organizations');
    expect((await exchange(back.searchParams.get('code')!)).status).toBe(200);
  });

  it('refuses a directory not on the list, with a correct issuer', async () => {
    const { back } = await signInThroughMicrosoft('contoso_only', user(FABRIKAM));
    expect(back.searchParams.get('error')).toBe('provider_token_invalid');
    expect(await lastFailure()).toMatchObject({ reason: 'tenant_not_allowed' });
  });
});
