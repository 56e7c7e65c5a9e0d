// Microsoft sign-in (#17): the multi-tenant issuer. Crafted ID tokens (signed with a key the stand-in's JWKS
// publishes) through the real client (oauth4webapi validates them) over a fetch that answers without a
// network: the token's `iss` must be the template with the token's own `tid`.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkMicrosoftDirectory,
  expectedMicrosoftIssuer,
  MICROSOFT_CONSUMERS_TENANT_ID,
  microsoftEmailVerified,
} from './microsoft.js';
import { type OAuthClientConfig, oauth4webapiClient } from './provider-client.js';

const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const FABRIKAM = 'b9c6d8e2-1111-4a3b-9c0d-0123456789ab';
const issuerOf = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;

let privateKey: CryptoKey;
let jwks: { keys: unknown[] };
beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'ms-1', alg: 'RS256', use: 'sig' }] };
});

const idToken = async (claims: Record<string, unknown>) => {
  const now = Math.floor(Date.now() / 1000);
  const body: Record<string, unknown> = {
    iss: issuerOf(CONTOSO),
    tid: CONTOSO,
    aud: 'ms-client',
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    oid: '00000000-0000-0000-66f3-3332eca7ea81',
    nonce: 'n-1',
    iat: now,
    nbf: now,
    exp: now + 3600,
    email: 'Ann@Contoso.com',
    ...claims,
  };
  for (const [key, value] of Object.entries(body)) if (value === undefined) delete body[key];
  return new SignJWT(body).setProtectedHeader({ alg: 'RS256', kid: 'ms-1', typ: 'JWT' }).sign(privateKey);
};

/** Microsoft as a fetch: the token endpoint answers `token`, the keys endpoint the JWKS. */
const fakeMicrosoft = (token: string, audience: string) =>
  (async (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.pathname === `/${audience}/oauth2/v2.0/token`) {
      return Response.json({ token_type: 'Bearer', access_token: 'at', expires_in: 3600, id_token: token });
    }
    if (url.pathname === `/${audience}/discovery/v2.0/keys`) return Response.json(jwks);
    return new Response('not found', { status: 404 });
  }) as typeof fetch;

const config = (tenant: string, allowedTenantIds: string[] = []): OAuthClientConfig => ({
  kind: 'microsoft',
  issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
  clientId: 'ms-client',
  clientSecret: 'ms-secret',
  tokenEndpointAuth: 'client_secret_basic',
  microsoft: { tenant, allowedTenantIds },
});

async function signIn(claims: Record<string, unknown>, tenant = 'common', allowed: string[] = []) {
  const client = oauth4webapiClient({
    clock: { now: () => new Date() },
    fetch: fakeMicrosoft(await idToken(claims), tenant),
  });
  return client.complete(config(tenant, allowed), {
    params: new URLSearchParams({ code: 'c-1', state: 's-1' }),
    state: 's-1',
    nonce: 'n-1',
    codeVerifier: 'v'.repeat(43),
    redirectUri: 'https://auth.example.com/cb',
  });
}

describe('Microsoft multi-tenant issuer', () => {
  it("accepts a token whose iss is the template with the token's own tid", async () => {
    expect(await signIn({})).toEqual({
      ok: true,
      value: {
        issuer: issuerOf(CONTOSO),
        sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
        email: 'ann@contoso.com',
        emailVerified: false,
      },
    });
  });

  it('refuses an iss of another directory than the tid (a tenant minting tokens for another)', async () => {
    expect(await signIn({ iss: issuerOf(FABRIKAM) })).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'wrong_issuer',
    });
    expect(await signIn({ tid: FABRIKAM })).toMatchObject({ ok: false, reason: 'wrong_issuer' });
  });

  it('refuses a token without a tid, or with the template itself as its issuer', async () => {
    expect(await signIn({ tid: undefined })).toMatchObject({ ok: false, reason: 'wrong_issuer' });
    expect(
      await signIn({ iss: 'https://login.microsoftonline.com/{tenantid}/v2.0', tid: '{tenantid}' }),
    ).toMatchObject({ ok: false, reason: 'wrong_issuer' });
    expect(await signIn({ tid: 'not-a-guid', iss: issuerOf('not-a-guid') })).toMatchObject({
      ok: false,
      reason: 'wrong_issuer',
    });
  });

  it('refuses an issuer on another host with the right path', async () => {
    expect(await signIn({ iss: `https://login.evil.example/${CONTOSO}/v2.0` })).toMatchObject({
      ok: false,
      reason: 'wrong_issuer',
    });
  });

  it('restricts to the allowed directories when the tenant lists some', async () => {
    expect((await signIn({}, 'common', [CONTOSO])).ok).toBe(true);
    expect(await signIn({ iss: issuerOf(FABRIKAM), tid: FABRIKAM }, 'common', [CONTOSO])).toMatchObject({
      ok: false,
      code: 'provider_token_invalid',
      reason: 'tenant_not_allowed',
    });
  });

  it('organizations refuses personal accounts; a single-tenant provider accepts only its own issuer', async () => {
    const personal = { iss: issuerOf(MICROSOFT_CONSUMERS_TENANT_ID), tid: MICROSOFT_CONSUMERS_TENANT_ID };
    expect((await signIn(personal)).ok).toBe(true);
    expect(await signIn(personal, 'organizations')).toMatchObject({ reason: 'tenant_not_allowed' });
    expect((await signIn({}, CONTOSO)).ok).toBe(true);
    expect(await signIn({ iss: issuerOf(FABRIKAM), tid: FABRIKAM }, CONTOSO)).toMatchObject({
      ok: false,
      reason: 'wrong_issuer',
    });
  });

  it('the email is verified only with xms_edov (Microsoft does not verify the email claim)', async () => {
    expect(await signIn({ xms_edov: true })).toMatchObject({ ok: true, value: { emailVerified: true } });
    expect(await signIn({ email_verified: true })).toMatchObject({
      ok: true,
      value: { emailVerified: false },
    });
    expect(microsoftEmailVerified({ xms_edov: 'false' })).toBe(false);
  });

  it('still checks the rest: nonce and signature', async () => {
    expect(await signIn({ nonce: 'other' })).toMatchObject({ ok: false, reason: 'nonce_mismatch' });
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT({
      iss: issuerOf(CONTOSO),
      tid: CONTOSO,
      aud: 'ms-client',
      sub: 's',
      nonce: 'n-1',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'ms-1' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(other.privateKey);
    const client = oauth4webapiClient({
      clock: { now: () => new Date() },
      fetch: fakeMicrosoft(forged, 'common'),
    });
    expect(
      await client.complete(config('common'), {
        params: new URLSearchParams({ code: 'c-1', state: 's-1' }),
        state: 's-1',
        nonce: 'n-1',
        codeVerifier: 'v'.repeat(43),
        redirectUri: 'https://auth.example.com/cb',
      }),
    ).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('builds the authorization URL at the audience’s endpoint with PKCE and a nonce', async () => {
    const client = oauth4webapiClient({
      clock: { now: () => new Date() },
      fetch: fakeMicrosoft('', 'common'),
    });
    const url = new URL(
      await client.authorizationUrl(config('organizations'), {
        redirectUri: 'https://auth.example.com/cb',
        scopes: ['email', 'profile'],
        state: 's',
        nonce: 'n',
        codeVerifier: 'v'.repeat(43),
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(
      'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
    );
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('nonce')).toBe('n');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

describe('expectedMicrosoftIssuer and checkMicrosoftDirectory', () => {
  it('substitutes the tid for multi-tenant audiences, fixes the issuer for one directory', () => {
    const common = { tenant: 'common', allowedTenantIds: [] };
    expect(expectedMicrosoftIssuer(common, { tid: CONTOSO })).toBe(issuerOf(CONTOSO));
    expect(expectedMicrosoftIssuer(common, {})).toBeNull();
    expect(expectedMicrosoftIssuer(common, { tid: 42 })).toBeNull();
    expect(expectedMicrosoftIssuer({ tenant: CONTOSO, allowedTenantIds: [] }, { tid: FABRIKAM })).toBe(
      issuerOf(CONTOSO),
    );
    expect(checkMicrosoftDirectory({ tenant: 'consumers', allowedTenantIds: [] }, CONTOSO)).toMatchObject({
      reason: 'tenant_not_allowed',
    });
    expect(checkMicrosoftDirectory(common, CONTOSO)).toBeNull();
  });
});
