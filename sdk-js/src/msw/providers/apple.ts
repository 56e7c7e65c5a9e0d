import { APPLE_ISSUER } from '@enforcer/contract';
import { exportJWK, exportPKCS8, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { type HttpHandler, HttpResponse, http } from 'msw';
import { formPost, newCode, oauthError, s256 } from './shared';

/** Who the Apple stand-in signs in next (`mock.appleProvider.nextSignIn`). */
export interface FakeAppleUser {
  /** Apple's subject for the person. Default: a fresh one. */
  sub?: string;
  email?: string;
  /** Default true (Apple sends it as the string `"true"`). */
  emailVerified?: boolean;
  /** Sent in the form's `user` field on the first authorization of this `sub` only, as Apple does. */
  firstName?: string;
  lastName?: string;
}

/** A Sign in with Apple stand-in the mock serves: a Services ID and its key, for a tenant's `apple` provider. */
export interface MockAppleProvider {
  /** The Services ID (`client_id`). */
  readonly clientId: string;
  readonly teamId: string;
  readonly keyId: string;
  /** The Sign in with Apple key's PEM (`apple_private_key`), made for this mock. */
  privateKeyPem(): Promise<string>;
  /** The identity its authorization page approves next (then fresh subjects again). */
  nextSignIn(user: FakeAppleUser): void;
}

/** Where the stand-in answers (the core's client is pointed there; the issuer stays `https://appleid.apple.com`). */
export const MOCK_APPLE_ORIGIN = 'https://appleid.enforcer.test';

/**
 * Apple as the flow meets it: `/auth/authorize` (approves at once with a page that posts `state`, `code`
 * and, the first time, `user` back: `response_mode=form_post`), `/auth/token` (checks the ES256 client
 * secret JWT against the team's key, the redirect URI and PKCE S256; answers an RS256 ID token with
 * `email_verified` as a string) and `/auth/keys`, on the mock's clock.
 */
export function createMockApple(nowMs: () => number): {
  provider: MockAppleProvider;
  handlers: HttpHandler[];
  /** Forgets who signs in next and every code given out (`mock.reset()`). */
  reset(): void;
} {
  const clientId = 'test.enforcer.mock.web';
  const teamId = 'MOCKTEAM01';
  const keyId = 'MOCKKEY001';
  let teamKey: Promise<CryptoKeyPair> | undefined;
  let signingKey: Promise<CryptoKeyPair> | undefined;
  const team = () => (teamKey ??= generateKeyPair('ES256', { extractable: true }));
  const signing = () => (signingKey ??= generateKeyPair('RS256', { extractable: true }));
  let next: FakeAppleUser | null = null;
  const authorizedBefore = new Set<string>();
  const grants = new Map<
    string,
    { user: FakeAppleUser & { sub: string }; nonce: string; challenge: string; redirectUri: string }
  >();
  const origin = MOCK_APPLE_ORIGIN;

  const handlers = [
    http.get(`${origin}/auth/authorize`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      if (
        q.get('client_id') !== clientId ||
        q.get('response_mode') !== 'form_post' ||
        q.get('code_challenge_method') !== 'S256'
      ) {
        return new HttpResponse('invalid_request', { status: 400 });
      }
      const user = { ...next, sub: next?.sub ?? `000123.${crypto.randomUUID().replace(/-/g, '')}.0042` };
      next = null;
      const code = `c${newCode()}.0.mock`;
      grants.set(code, {
        user,
        nonce: q.get('nonce') ?? '',
        challenge: q.get('code_challenge') ?? '',
        redirectUri: q.get('redirect_uri') ?? '',
      });
      const fields: Record<string, string> = { state: q.get('state') ?? '', code };
      if (!authorizedBefore.has(user.sub) && (user.firstName || user.lastName)) {
        fields.user = JSON.stringify({
          name: { firstName: user.firstName ?? '', lastName: user.lastName ?? '' },
          ...(user.email && { email: user.email }),
        });
      }
      authorizedBefore.add(user.sub);
      return formPost(q.get('redirect_uri') ?? '', fields);
    }),
    http.post(`${origin}/auth/token`, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      try {
        await jwtVerify(form.get('client_secret') ?? '', (await team()).publicKey, {
          issuer: teamId,
          audience: APPLE_ISSUER,
          subject: clientId,
          algorithms: ['ES256'],
          currentDate: new Date(nowMs()),
        });
      } catch {
        return oauthError('invalid_client');
      }
      if (
        form.get('client_id') !== clientId ||
        !grant ||
        grant.redirectUri !== form.get('redirect_uri') ||
        grant.challenge !== (await s256(form.get('code_verifier') ?? ''))
      ) {
        return oauthError('invalid_grant');
      }
      const now = Math.floor(nowMs() / 1000);
      const { user } = grant;
      const idToken = await new SignJWT({
        nonce: grant.nonce,
        nonce_supported: true,
        ...(user.email && {
          email: user.email,
          email_verified: String(user.emailVerified ?? true),
          is_private_email: String(user.email.endsWith('@privaterelay.appleid.com')),
        }),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'mock-apple-1' })
        .setIssuer(APPLE_ISSUER)
        .setAudience(clientId)
        .setSubject(user.sub)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign((await signing()).privateKey);
      return HttpResponse.json({
        access_token: newCode(),
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: newCode(),
        id_token: idToken,
      });
    }),
    http.get(`${origin}/auth/keys`, async () =>
      HttpResponse.json({
        keys: [
          {
            ...(await exportJWK((await signing()).publicKey)),
            kid: 'mock-apple-1',
            alg: 'RS256',
            use: 'sig',
          },
        ],
      }),
    ),
  ];
  return {
    provider: {
      clientId,
      teamId,
      keyId,
      privateKeyPem: async () => exportPKCS8((await team()).privateKey),
      nextSignIn: (user) => {
        next = user;
      },
    },
    handlers,
    reset: () => {
      next = null;
      grants.clear();
    },
  };
}
