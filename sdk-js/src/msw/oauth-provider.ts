import { base64url } from '@enforcer/core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { type HttpHandler, HttpResponse, http } from 'msw';

/** Who the fake provider signs in next (`mock.oauthProvider.nextSignIn`). */
export interface FakeOAuthIdentity {
  /** Default: a fresh subject. */
  sub?: string;
  email?: string;
  /** Default true when `email` is given. */
  emailVerified?: boolean;
}

/** The fake OpenID Provider a mock serves, for testing an app's social sign-in without a real provider. */
export interface MockOAuthProvider {
  /** `https://idp.enforcer.test`: configure it as an `oidc` provider's issuer (`PUT /tenants/{id}/oauth`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The identity its sign-in page approves next (then fresh subjects again). */
  nextSignIn(identity: FakeOAuthIdentity): void;
}

const sha256 = async (text: string) =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));

/**
 * A fake OpenID Provider behind MSW: discovery, JWKS, an authorization endpoint whose "page" approves at
 * once (redirects back to the client with a code), and a token endpoint that checks the client's secret,
 * the PKCE verifier and the redirect URI, then issues an ES256 ID token (with the nonce) on the mock's
 * clock. Enforcer's side of the flow is the core's, as on the server; only the provider is fake.
 */
export function createMockOAuthProvider(nowMs: () => number): {
  provider: MockOAuthProvider;
  handlers: HttpHandler[];
  /** Forgets who signs in next and every code given out (`mock.reset()`). */
  reset(): void;
} {
  const issuer = 'https://idp.enforcer.test';
  const clientId = 'enforcer-mock-client';
  const clientSecret = 'enforcer-mock-secret';
  const keys = generateKeyPair('ES256', { extractable: true });
  let next: FakeOAuthIdentity | null = null;
  const grants = new Map<
    string,
    { identity: FakeOAuthIdentity; nonce: string; challenge: string; redirectUri: string }
  >();

  const provider: MockOAuthProvider = {
    issuer,
    clientId,
    clientSecret,
    nextSignIn: (identity) => {
      next = identity;
    },
  };

  const handlers = [
    http.get(`${issuer}/.well-known/openid-configuration`, () =>
      HttpResponse.json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      }),
    ),
    http.get(`${issuer}/jwks`, async () =>
      HttpResponse.json({
        keys: [{ ...(await exportJWK((await keys).publicKey)), kid: 'mock-1', alg: 'ES256' }],
      }),
    ),
    http.get(`${issuer}/authorize`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const redirectUri = query.get('redirect_uri') ?? '';
      if (query.get('client_id') !== clientId || query.get('code_challenge_method') !== 'S256') {
        return HttpResponse.json({ error: 'invalid_request' }, { status: 400 });
      }
      const code = base64url(crypto.getRandomValues(new Uint8Array(24)));
      grants.set(code, {
        identity: next ?? { sub: `fake-${crypto.randomUUID()}` },
        nonce: query.get('nonce') ?? '',
        challenge: query.get('code_challenge') ?? '',
        redirectUri,
      });
      next = null;
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', query.get('state') ?? '');
      return new HttpResponse(null, { status: 302, headers: { location: back.href } });
    }),
    http.post(`${issuer}/token`, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      const basic = request.headers.get('authorization');
      const [id, secret] = basic?.startsWith('Basic ')
        ? atob(basic.slice(6)).split(':').map(decodeURIComponent)
        : [form.get('client_id'), form.get('client_secret')];
      if (id !== clientId || secret !== clientSecret) {
        return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
      }
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      if (
        !grant ||
        grant.redirectUri !== form.get('redirect_uri') ||
        grant.challenge !== (await sha256(form.get('code_verifier') ?? ''))
      ) {
        return HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
      }
      const now = Math.floor(nowMs() / 1000);
      const { identity } = grant;
      const idToken = await new SignJWT({
        nonce: grant.nonce,
        ...(identity.email && { email: identity.email, email_verified: identity.emailVerified ?? true }),
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'mock-1' })
        .setIssuer(issuer)
        .setSubject(identity.sub ?? `fake-${crypto.randomUUID()}`)
        .setAudience(clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign((await keys).privateKey);
      return HttpResponse.json({
        access_token: 'fake',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken,
      });
    }),
  ];
  return {
    provider,
    handlers,
    reset: () => {
      next = null;
      grants.clear();
    },
  };
}
