// Sign in with Apple (#17): the ES256 client secret JWT, the `user` form field (name on the first sign-in
// only) and Apple's answers (recorded shapes in ./fixtures: `email_verified` as the string "true"), through
// the real client (oauth4webapi) over a fetch that answers without a network.
import {
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importSPKI,
  jwtVerify,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { appleClientSecret, appleEmailVerified, appleName } from './apple.js';
import idTokenClaims from './fixtures/apple-id-token-claims.json' with { type: 'json' };
import tokenResponse from './fixtures/apple-token-response.json' with { type: 'json' };
import firstSignInUser from './fixtures/apple-user-first-sign-in.json' with { type: 'json' };
import { type OAuthClientConfig, oauth4webapiClient } from './provider-client.js';

const settings = { teamId: 'TEAM123456', keyId: 'KEY1234567' };
let teamKeyPem: string;
let teamPublicPem: string;
let appleSigningKey: CryptoKey;
let appleJwks: { keys: unknown[] };

beforeAll(async () => {
  const team = await generateKeyPair('ES256', { extractable: true });
  teamKeyPem = await exportPKCS8(team.privateKey);
  teamPublicPem = await exportSPKI(team.publicKey);
  const apple = await generateKeyPair('RS256', { extractable: true });
  appleSigningKey = apple.privateKey;
  appleJwks = { keys: [{ ...(await exportJWK(apple.publicKey)), kid: 'apple-1', alg: 'RS256', use: 'sig' }] };
});

describe('appleClientSecret', () => {
  it('is an ES256 JWT with the key id, issued by the team, for Apple, about the client, short-lived', async () => {
    const now = new Date();
    const secret = await appleClientSecret({
      settings,
      clientId: 'com.example.web',
      privateKeyPem: teamKeyPem,
      now,
    });
    expect(decodeProtectedHeader(secret)).toEqual({ alg: 'ES256', kid: 'KEY1234567' });
    const { payload } = await jwtVerify(secret, await importSPKI(teamPublicPem, 'ES256'), {
      issuer: 'TEAM123456',
      audience: 'https://appleid.apple.com',
      subject: 'com.example.web',
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.iat).toBe(Math.floor(now.getTime() / 1000));
  });

  it('refuses a key that is not a P-256 PKCS #8 key', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    await expect(
      appleClientSecret({
        settings,
        clientId: 'c',
        privateKeyPem: await exportPKCS8(rsa.privateKey),
        now: new Date(),
      }),
    ).rejects.toThrow();
  });
});

describe('appleName and appleEmailVerified', () => {
  it("takes the name of the first sign-in's user field, never its email", () => {
    expect(appleName(JSON.stringify(firstSignInUser))).toBe('Jane Appleseed');
    expect(appleName(JSON.stringify({ name: { firstName: 'Jane' } }))).toBe('Jane');
    expect(appleName(JSON.stringify({ email: 'x@example.com' }))).toBeUndefined();
  });

  it('is no name when the field is missing, malformed, or only control characters', () => {
    expect(appleName(undefined)).toBeUndefined();
    expect(appleName('{not json')).toBeUndefined();
    expect(appleName(JSON.stringify({ name: 'Jane' }))).toBeUndefined();
    expect(appleName(JSON.stringify({ name: { firstName: '\u0000\u202e', lastName: 42 } }))).toBeUndefined();
    expect(appleName(JSON.stringify({ name: { firstName: 'J'.repeat(300) } }))).toHaveLength(100);
  });

  it('reads email_verified as Apple sends it (a boolean or the string "true")', () => {
    expect(appleEmailVerified(idTokenClaims)).toBe(true);
    expect(appleEmailVerified({ email_verified: true })).toBe(true);
    expect(appleEmailVerified({ email_verified: 'false' })).toBe(false);
    expect(appleEmailVerified({})).toBe(false);
  });
});

describe('the Apple client', () => {
  const config: OAuthClientConfig = {
    kind: 'apple',
    issuer: 'https://appleid.apple.com',
    clientId: 'com.example.web',
    clientSecret: '',
    tokenEndpointAuth: 'client_secret_post',
    apple: settings,
  };
  const withKey = () => ({ ...config, clientSecret: teamKeyPem });

  const idToken = (claims: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...idTokenClaims, nonce: 'n-1', iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'apple-1' })
      .sign(appleSigningKey);
  };

  /** Apple as a fetch: the token endpoint checks the client secret JWT, then answers with `token`. */
  const fakeApple = (token: string) => {
    const forms: URLSearchParams[] = [];
    const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.href === 'https://appleid.apple.com/auth/token') {
        const form = new URLSearchParams(String(init?.body));
        forms.push(form);
        try {
          await jwtVerify(form.get('client_secret')!, await importSPKI(teamPublicPem, 'ES256'), {
            issuer: settings.teamId,
            audience: 'https://appleid.apple.com',
            subject: form.get('client_id')!,
          });
        } catch {
          return Response.json({ error: 'invalid_client' }, { status: 400 });
        }
        return Response.json({ ...tokenResponse, id_token: token });
      }
      if (url.href === 'https://appleid.apple.com/auth/keys') return Response.json(appleJwks);
      return new Response('not found', { status: 404 });
    }) as typeof fetch;
    return { forms, fetcher };
  };

  const complete = async (cfg: OAuthClientConfig, token: string) => {
    const apple = fakeApple(token);
    const result = await oauth4webapiClient({
      clock: { now: () => new Date() },
      fetch: apple.fetcher,
    }).complete(cfg, {
      params: new URLSearchParams({ code: 'c-1', state: 's-1', user: JSON.stringify(firstSignInUser) }),
      state: 's-1',
      nonce: 'n-1',
      codeVerifier: 'v'.repeat(43),
      redirectUri: 'https://auth.example.com/cb',
    });
    return { result, forms: apple.forms };
  };

  it('asks for name and email with response_mode=form_post, PKCE and a nonce, without openid', async () => {
    const client = oauth4webapiClient({ clock: { now: () => new Date() }, fetch: fakeApple('').fetcher });
    const url = new URL(
      await client.authorizationUrl(withKey(), {
        redirectUri: 'https://auth.example.com/cb',
        scopes: ['name', 'email'],
        state: 's',
        nonce: 'n',
        codeVerifier: 'v'.repeat(43),
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://appleid.apple.com/auth/authorize');
    expect(url.searchParams.get('response_mode')).toBe('form_post');
    expect(url.searchParams.get('scope')).toBe('name email');
    expect(url.searchParams.get('nonce')).toBe('n');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('exchanges the code with a fresh ES256 client secret and reads the ID token ("true" as verified)', async () => {
    const { result, forms } = await complete(withKey(), await idToken());
    expect(result).toEqual({
      ok: true,
      value: {
        issuer: 'https://appleid.apple.com',
        sub: idTokenClaims.sub,
        email: idTokenClaims.email.toLowerCase(),
        emailVerified: true,
      },
    });
    expect(forms[0]!.get('client_id')).toBe('com.example.web');
    expect(forms[0]!.get('code_verifier')).toBe('v'.repeat(43));
  });

  it('refuses a token Apple did not sign, of another audience or nonce; an unverified email is not verified', async () => {
    const stranger = await generateKeyPair('RS256');
    const forged = await new SignJWT({ ...idTokenClaims, nonce: 'n-1' })
      .setProtectedHeader({ alg: 'RS256', kid: 'apple-1' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(stranger.privateKey);
    expect((await complete(withKey(), forged)).result).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect((await complete(withKey(), await idToken({ aud: 'com.other.app' }))).result).toMatchObject({
      ok: false,
      reason: 'wrong_audience',
    });
    expect((await complete(withKey(), await idToken({ nonce: 'n-2' }))).result).toMatchObject({
      ok: false,
      reason: 'nonce_mismatch',
    });
    expect((await complete(withKey(), await idToken({ email_verified: 'false' }))).result).toMatchObject({
      ok: true,
      value: { emailVerified: false },
    });
  });

  it('a client secret made with another key is refused by Apple (invalid_client)', async () => {
    const other = await generateKeyPair('ES256', { extractable: true });
    const { result } = await complete(
      { ...config, clientSecret: await exportPKCS8(other.privateKey) },
      await idToken(),
    );
    expect(result).toMatchObject({ ok: false, reason: 'token_endpoint_invalid_client' });
  });
});
