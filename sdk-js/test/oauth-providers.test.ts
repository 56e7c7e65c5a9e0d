// The mock's GitHub, Apple and Microsoft stand-ins (#17): a customer's app configures them as the tenant's
// `github`, `apple` and `microsoft` providers and runs its callback handling through the mock's core (the
// same provider client and rules as the server), with the SDK's signInWithOAuth / completeOAuthSignIn.
import { describe, expect, it } from 'vitest';
import type { Enforcer } from '../src/index';
import { useMockEnforcer } from './harness';

const h = useMockEnforcer();
const APP = 'https://app.example/auth/callback';
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2)}@example.com`;

/** A tenant accepting social sign-in with `providers`, set over the API as an app's admin would. */
async function tenantWith(providers: unknown[]) {
  const tenant = h.mock.seed.tenant({
    name: 'Social',
    authProviders: ['email_otp', 'oauth'],
    allowSignup: true,
  });
  const { key } = h.mock.seed.apiKey({ tenant, role: 'owner' });
  const put = await fetch(`${h.mock.baseUrl}/api/v1/enforcer/tenants/${tenant.id}/oauth`, {
    method: 'PUT',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ providers, redirect_urls: [APP] }),
  });
  expect(put.status, await put.clone().text()).toBe(200);
  return tenant;
}

/** signInWithOAuth, the provider and Enforcer's callback (the mock follows them), then the callback page. */
async function signInThrough(enforcer: Enforcer, provider: string) {
  let went = '';
  await enforcer.signInWithOAuth(provider, { redirectTo: APP, navigate: (url) => (went = url) });
  const landed = await h.mock.followOAuthRedirects(went);
  expect(landed.startsWith(APP)).toBe(true);
  return {
    went: new URL(went),
    landed,
    complete: () => enforcer.completeOAuthSignIn({ url: landed, replaceUrl: () => {} }),
  };
}

const identities = async (enforcer: Enforcer) => {
  const answer = await enforcer.api.auth.identities();
  expect(answer.status).toBe(200);
  return (answer.body as { data: Array<{ provider: string; subject: string }> }).data;
};

describe('the mock’s GitHub stand-in', () => {
  const github = () => ({
    name: 'github',
    kind: 'github',
    client_id: h.mock.githubProvider.clientId,
    client_secret: h.mock.githubProvider.clientSecret,
  });

  it('signs in with the verified primary email; the identity is GitHub’s user id', async () => {
    const tenant = await tenantWith([github()]);
    const enforcer = h.sdk({ tenantCode: tenant.code });
    const email = unique('octo');
    h.mock.githubProvider.nextSignIn({ id: 583231, login: 'octocat', email });
    const flow = await signInThrough(enforcer, 'github');
    expect(flow.went.origin).toBe('https://github.enforcer.test');
    expect(flow.went.searchParams.get('code_challenge_method')).toBe('S256');
    const result = await flow.complete();
    expect(result?.status).toBe('signed_in');
    const snapshot = enforcer.getSnapshot();
    expect(snapshot.status === 'signed_in' && snapshot.person.email).toBe(email);
    expect(await identities(enforcer)).toContainEqual(
      expect.objectContaining({ provider: 'oidc', subject: 'https://github.com|583231' }),
    );
  });

  it('mock.reset() forgets whom it was to sign in next', async () => {
    const chosen = unique('chosen');
    h.mock.githubProvider.nextSignIn({ id: 77, login: 'chosen', email: chosen });
    h.mock.reset();
    const tenant = await tenantWith([github()]);
    const enforcer = h.sdk({ tenantCode: tenant.code });
    // The stand-in's own default user (no email it could prove), not the one chosen before the reset.
    const flow = await signInThrough(enforcer, 'github');
    await expect(flow.complete()).rejects.toMatchObject({ code: 'provider_email_unverified' });
    expect(enforcer.getSnapshot().status).toBe('signed_out');
  });

  it('an unverified primary email comes back as provider_email_unverified; nothing is created', async () => {
    const tenant = await tenantWith([github()]);
    const enforcer = h.sdk({ tenantCode: tenant.code });
    h.mock.githubProvider.nextSignIn({ email: unique('unverified'), emailVerified: false });
    const flow = await signInThrough(enforcer, 'github');
    expect(new URL(flow.landed).searchParams.get('error')).toBe('provider_email_unverified');
    await expect(flow.complete()).rejects.toMatchObject({ code: 'provider_email_unverified' });
    expect(enforcer.getSnapshot().status).toBe('signed_out');
  });

  it('a wrong client secret is refused by the stand-in: the app gets provider_token_invalid', async () => {
    const tenant = await tenantWith([{ ...github(), client_secret: 'not-the-mock-secret' }]);
    const enforcer = h.sdk({ tenantCode: tenant.code });
    h.mock.githubProvider.nextSignIn({ email: unique('secret') });
    const flow = await signInThrough(enforcer, 'github');
    await expect(flow.complete()).rejects.toMatchObject({ code: 'provider_token_invalid' });
  });
});

describe('the mock’s Apple stand-in', () => {
  const apple = async () => ({
    name: 'apple',
    kind: 'apple',
    client_id: h.mock.appleProvider.clientId,
    apple_team_id: h.mock.appleProvider.teamId,
    apple_key_id: h.mock.appleProvider.keyId,
    apple_private_key: await h.mock.appleProvider.privateKeyPem(),
  });

  it('posts the answer back (form_post); the name names the new person on the first sign-in only', async () => {
    const tenant = await tenantWith([await apple()]);
    const email = unique('jane');
    const sub = `000777.${Math.random().toString(36).slice(2)}.0042`;
    h.mock.appleProvider.nextSignIn({ sub, email, firstName: 'Jane', lastName: 'Appleseed' });
    const first = h.sdk({ tenantCode: tenant.code });
    const flow = await signInThrough(first, 'apple');
    expect(flow.went.origin).toBe('https://appleid.enforcer.test');
    expect(flow.went.searchParams.get('response_mode')).toBe('form_post');
    expect(h.mock.count('oauthSignIn.callbackForm')).toBeGreaterThan(0);
    expect(await flow.complete()).toMatchObject({ status: 'signed_in' });
    const snapshot = first.getSnapshot();
    expect(snapshot.status === 'signed_in' && snapshot.person).toMatchObject({
      email,
      display_name: 'Jane Appleseed',
    });
    expect(await identities(first)).toContainEqual(
      expect.objectContaining({ subject: `https://appleid.apple.com|${sub}` }),
    );

    // Again: Apple sends no name; the same person, not renamed.
    h.mock.appleProvider.nextSignIn({ sub, email, firstName: 'Changed' });
    const again = h.sdk({ tenantCode: tenant.code });
    await (await signInThrough(again, 'apple')).complete();
    const later = again.getSnapshot();
    expect(later.status === 'signed_in' && later.person).toMatchObject({
      id: snapshot.status === 'signed_in' ? snapshot.person.id : '',
      display_name: 'Jane Appleseed',
    });
  });

  it('a key other than the Services ID’s is refused by the stand-in', async () => {
    const { generateKeyPair, exportPKCS8 } = await import('jose');
    const other = await generateKeyPair('ES256', { extractable: true });
    const tenant = await tenantWith([
      { ...(await apple()), apple_private_key: await exportPKCS8(other.privateKey) },
    ]);
    const enforcer = h.sdk({ tenantCode: tenant.code });
    h.mock.appleProvider.nextSignIn({ email: unique('forged') });
    await expect((await signInThrough(enforcer, 'apple')).complete()).rejects.toMatchObject({
      code: 'provider_token_invalid',
    });
  });
});

describe('the mock’s Microsoft stand-in', () => {
  const microsoft = (extra: Record<string, unknown> = {}) => ({
    name: 'microsoft',
    kind: 'microsoft',
    client_id: h.mock.microsoftProvider.clientId,
    client_secret: h.mock.microsoftProvider.clientSecret,
    ...extra,
  });

  it('signs in through `common` with the directory’s issuer; the email only with xms_edov', async () => {
    const tenant = await tenantWith([microsoft()]);
    const email = unique('entra');
    h.mock.microsoftProvider.nextSignIn({ sub: 'ms-verified', email, emailDomainVerified: true });
    const enforcer = h.sdk({ tenantCode: tenant.code });
    const flow = await signInThrough(enforcer, 'microsoft');
    expect(
      flow.went.href.startsWith('https://login.microsoft.enforcer.test/common/oauth2/v2.0/authorize'),
    ).toBe(true);
    await flow.complete();
    const snapshot = enforcer.getSnapshot();
    expect(snapshot.status === 'signed_in' && snapshot.person.email).toBe(email);
    expect(await identities(enforcer)).toContainEqual(
      expect.objectContaining({
        subject: `https://login.microsoftonline.com/${h.mock.microsoftProvider.directoryId}/v2.0|ms-verified`,
      }),
    );

    // Without the domain owner's word the email is not used: a person without one.
    h.mock.microsoftProvider.nextSignIn({ sub: 'ms-unverified', email: unique('entra') });
    const other = h.sdk({ tenantCode: tenant.code });
    await (await signInThrough(other, 'microsoft')).complete();
    const second = other.getSnapshot();
    expect(second.status === 'signed_in' && second.person.email).toBeNull();
  });

  it('`organizations` restricted to one directory refuses another directory’s user', async () => {
    const allowed = h.mock.microsoftProvider.directoryId;
    const tenant = await tenantWith([
      microsoft({ microsoft_tenant: 'organizations', allowed_tenant_ids: [allowed] }),
    ]);
    h.mock.microsoftProvider.nextSignIn({
      tid: '11111111-2222-4333-8444-555555555555',
      email: unique('outsider'),
    });
    const enforcer = h.sdk({ tenantCode: tenant.code });
    const refused = await signInThrough(enforcer, 'microsoft');
    expect(refused.went.pathname).toBe('/organizations/oauth2/v2.0/authorize');
    await expect(refused.complete()).rejects.toMatchObject({ code: 'provider_token_invalid' });

    h.mock.microsoftProvider.nextSignIn({ email: unique('insider'), emailDomainVerified: true });
    expect(await (await signInThrough(enforcer, 'microsoft')).complete()).toMatchObject({
      status: 'signed_in',
    });
  });
});
