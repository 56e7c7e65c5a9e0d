import { type HttpHandler, HttpResponse, http } from 'msw';
import { approve, clientCredentials, newCode, s256 } from './shared';

/** Who the GitHub stand-in signs in next (`mock.githubProvider.nextSignIn`). */
export interface FakeGitHubUser {
  /** GitHub's numeric user id (the identity's subject). Default: a fresh one. */
  id?: number;
  /** Default `octocat-<id>`. */
  login?: string;
  /** The primary email. None: the account has no email the sign-in may use (`provider_email_unverified`). */
  email?: string;
  /** Whether GitHub verified the primary email; default true. */
  emailVerified?: boolean;
}

/** A GitHub stand-in the mock serves: an OAuth app's client, for a tenant's `github` provider. */
export interface MockGitHubProvider {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The identity its authorization page approves next (then fresh users again). */
  nextSignIn(user: FakeGitHubUser): void;
}

/** Where the stand-in answers (the core's client is pointed there; identities stay `https://github.com|<id>`). */
export const MOCK_GITHUB_ENDPOINTS = {
  web: 'https://github.enforcer.test',
  api: 'https://api.github.enforcer.test',
};

/**
 * GitHub as the social sign-in flow meets it: `/login/oauth/authorize` (approves at once), the token endpoint
 * (client id and secret, redirect URI, PKCE S256; a refused code answered `200` with an error body, as
 * GitHub does) and the REST API's `GET /user` and `GET /user/emails`.
 */
export function createMockGitHub(): {
  provider: MockGitHubProvider;
  handlers: HttpHandler[];
  /** Forgets who signs in next and every code and token given out (`mock.reset()`). */
  reset(): void;
} {
  const clientId = 'Iv1.enforcermock0001';
  const clientSecret = 'enforcer-mock-github-secret';
  let next: FakeGitHubUser | null = null;
  let lastId = 1_000_000;
  const grants = new Map<string, { user: FakeGitHubUser; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, Required<Pick<FakeGitHubUser, 'id' | 'login'>> & FakeGitHubUser>();
  const { web, api } = MOCK_GITHUB_ENDPOINTS;

  const handlers = [
    http.get(`${web}/login/oauth/authorize`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256') {
        return new HttpResponse('The client_id or the PKCE method is not right', { status: 400 });
      }
      const code = newCode();
      grants.set(code, {
        user: next ?? {},
        challenge: q.get('code_challenge') ?? '',
        redirectUri: q.get('redirect_uri') ?? '',
      });
      next = null;
      return approve(q.get('redirect_uri') ?? '', { code, state: q.get('state') ?? '' });
    }),
    http.post(`${web}/login/oauth/access_token`, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      const [id, secret] = clientCredentials(request, form);
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      if (
        id !== clientId ||
        secret !== clientSecret ||
        !grant ||
        grant.redirectUri !== form.get('redirect_uri') ||
        grant.challenge !== (await s256(form.get('code_verifier') ?? ''))
      ) {
        return HttpResponse.json({
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
      }
      const userId = grant.user.id ?? ++lastId;
      const token = `gho_${newCode()}`;
      tokens.set(token, { ...grant.user, id: userId, login: grant.user.login ?? `octocat-${userId}` });
      return HttpResponse.json({ access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }),
    http.get(`${api}/user`, ({ request }) => {
      const user = tokens.get((request.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
      if (!user) return HttpResponse.json({ message: 'Requires authentication' }, { status: 401 });
      return HttpResponse.json({ login: user.login, id: user.id, type: 'User', name: null, email: null });
    }),
    http.get(`${api}/user/emails`, ({ request }) => {
      const user = tokens.get((request.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
      if (!user) return HttpResponse.json({ message: 'Requires authentication' }, { status: 401 });
      return HttpResponse.json(
        user.email
          ? [{ email: user.email, primary: true, verified: user.emailVerified ?? true, visibility: 'public' }]
          : [],
      );
    }),
  ];
  return {
    provider: {
      clientId,
      clientSecret,
      nextSignIn: (user) => {
        next = user;
      },
    },
    handlers,
    reset: () => {
      next = null;
      grants.clear();
      tokens.clear();
    },
  };
}
