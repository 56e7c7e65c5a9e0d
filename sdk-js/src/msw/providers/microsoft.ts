import { MICROSOFT_LOGIN } from '@enforcer/contract';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { type HttpHandler, HttpResponse, http } from 'msw';
import { approve, clientCredentials, newCode, oauthError, s256 } from './shared';

/** Who the Microsoft stand-in signs in next (`mock.microsoftProvider.nextSignIn`). */
export interface FakeMicrosoftUser {
  /** Default: a fresh subject. */
  sub?: string;
  /**
   * The directory (`tid`). Default: the one the authorization was asked of when it is a directory id,
   * the personal accounts' directory for `consumers`, else `mock.microsoftProvider.directoryId`.
   */
  tid?: string;
  email?: string;
  /** The optional claim `xms_edov` (the email's domain owner verified it); without it the email is not used. */
  emailDomainVerified?: boolean;
}

/** A Microsoft identity platform stand-in the mock serves: an app registration's client, for a `microsoft` provider. */
export interface MockMicrosoftProvider {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The work or school directory users sign in from by default. */
  readonly directoryId: string;
  /** The identity its authorization page approves next (then fresh subjects again). */
  nextSignIn(user: FakeMicrosoftUser): void;
}

/** Where the stand-in answers (the core's client is pointed there; issuers stay `https://login.microsoftonline.com/<tid>/v2.0`). */
export const MOCK_MICROSOFT_LOGIN = 'https://login.microsoft.enforcer.test';

/** The directory of personal Microsoft accounts. */
const CONSUMERS_TID = '9188040d-6c67-4c5b-b112-36a304b66dad';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Microsoft as the flow meets it, for any sign-in audience (`/{common|organizations|consumers|<tid>}/...`):
 * the v2.0 authorize endpoint (approves at once), the token endpoint (client id and secret, redirect URI,
 * PKCE S256; an RS256 ID token whose `iss` is the user's directory's) and the keys, on the mock's clock.
 */
export function createMockMicrosoft(nowMs: () => number): {
  provider: MockMicrosoftProvider;
  handlers: HttpHandler[];
  /** Forgets who signs in next and every code given out (`mock.reset()`). */
  reset(): void;
} {
  const clientId = '3f6c1a52-0b7e-4d8a-9c21-6e5f4d3c2b1a';
  const clientSecret = 'enforcer-mock-microsoft-secret';
  const directoryId = 'c0ffee00-4a1b-4c2d-8e3f-0123456789ab';
  let signingKey: Promise<CryptoKeyPair> | undefined;
  const signing = () => (signingKey ??= generateKeyPair('RS256', { extractable: true }));
  let next: FakeMicrosoftUser | null = null;
  const grants = new Map<
    string,
    { user: FakeMicrosoftUser; audience: string; nonce: string; challenge: string; redirectUri: string }
  >();
  const origin = MOCK_MICROSOFT_LOGIN;

  const handlers = [
    http.get(`${origin}/:audience/oauth2/v2.0/authorize`, ({ request, params }) => {
      const q = new URL(request.url).searchParams;
      if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256') {
        return new HttpResponse('AADSTS900144: the request is not valid', { status: 400 });
      }
      const code = newCode();
      grants.set(code, {
        user: next ?? {},
        audience: String(params.audience),
        nonce: q.get('nonce') ?? '',
        challenge: q.get('code_challenge') ?? '',
        redirectUri: q.get('redirect_uri') ?? '',
      });
      next = null;
      return approve(q.get('redirect_uri') ?? '', { code, state: q.get('state') ?? '' });
    }),
    http.post(`${origin}/:audience/oauth2/v2.0/token`, async ({ request, params }) => {
      const form = new URLSearchParams(await request.text());
      const [id, secret] = clientCredentials(request, form);
      if (id !== clientId || secret !== clientSecret) return oauthError('invalid_client', 401);
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      if (
        !grant ||
        grant.audience !== params.audience ||
        grant.redirectUri !== form.get('redirect_uri') ||
        grant.challenge !== (await s256(form.get('code_verifier') ?? ''))
      ) {
        return oauthError('invalid_grant');
      }
      const { user, audience } = grant;
      const tid =
        user.tid ?? (GUID.test(audience) ? audience : audience === 'consumers' ? CONSUMERS_TID : directoryId);
      const now = Math.floor(nowMs() / 1000);
      const idToken = await new SignJWT({
        tid,
        nonce: grant.nonce,
        ver: '2.0',
        ...(user.email && { email: user.email, preferred_username: user.email }),
        ...(user.emailDomainVerified !== undefined && { xms_edov: user.emailDomainVerified }),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'mock-microsoft-1', typ: 'JWT' })
        .setIssuer(`${MICROSOFT_LOGIN}/${tid}/v2.0`)
        .setAudience(clientId)
        .setSubject(user.sub ?? `mock-${crypto.randomUUID()}`)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign((await signing()).privateKey);
      return HttpResponse.json({
        token_type: 'Bearer',
        access_token: newCode(),
        expires_in: 3600,
        id_token: idToken,
      });
    }),
    http.get(`${origin}/:audience/discovery/v2.0/keys`, async () =>
      HttpResponse.json({
        keys: [
          {
            ...(await exportJWK((await signing()).publicKey)),
            kid: 'mock-microsoft-1',
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
      clientSecret,
      directoryId,
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
