// Social sign-in (#17): the settings and every refusal decided before a provider is involved. The redirect
// flow itself runs against a real OpenID Provider in test/e2e/auth-oauth.test.ts (server only).
import type { Scenario } from '../scenario';
import { allow, problem, seedTenant } from './_steps';

const APP = 'https://app.example/auth/callback';
/** RFC 7636 appendix B's verifier and its S256 challenge: the app's binding of the one-time code. */
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

export const scenarios: Scenario[] = [
  {
    name: 'oauth: settings keep the client secret to themselves; a redirect URL off the allow-list, a bad state and a bad code are refused',
    steps: [
      seedTenant('t'),
      seedTenant('other'),
      allow('t', ['email_otp', 'oauth']),
      {
        request: 'GET /tenants/{{t.id}}/oauth',
        apiKey: '{{t.apiKey}}',
        expect: { body: { $exactly: { providers: [], redirect_urls: [] } } },
      },
      {
        request: 'PUT /tenants/{{t.id}}/oauth',
        apiKey: '{{t.apiKey}}',
        body: {
          providers: [
            {
              name: 'google',
              kind: 'google',
              client_id: 'conformance.apps.googleusercontent.com',
              client_secret: 'not-to-be-seen-again',
            },
          ],
          redirect_urls: [APP],
        },
        expect: {
          status: 200,
          body: {
            $exactly: {
              providers: [
                {
                  name: 'google',
                  kind: 'google',
                  issuer: 'https://accounts.google.com',
                  client_id: 'conformance.apps.googleusercontent.com',
                  client_secret_set: true,
                  scopes: ['openid', 'email', 'profile'],
                  token_endpoint_auth: 'client_secret_basic',
                },
              ],
              redirect_urls: [APP],
            },
          },
        },
      },
      {
        request: 'GET /tenants/{{other.id}}/oauth',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'POST /auth/oauth/google/authorize',
        body: {
          tenant_code: '{{t.code}}',
          redirect_uri: 'https://evil.example/cb',
          code_challenge: CHALLENGE,
        },
        expect: problem(400, 'redirect_uri_not_allowed'),
      },
      {
        request: 'POST /auth/oauth/okta/authorize',
        body: { tenant_code: '{{t.code}}', redirect_uri: APP, code_challenge: CHALLENGE },
        expect: problem(403, 'provider_not_configured'),
      },
      {
        request: 'POST /auth/oauth/google/authorize',
        body: { tenant_code: '{{t.code}}', redirect_uri: APP, intent: 'link', code_challenge: CHALLENGE },
        expect: problem(401, 'unauthenticated'),
      },
      {
        request: 'GET /auth/oauth/google/callback?state=forged&code=x',
        expect: problem(400, 'oauth_state_invalid'),
      },
      {
        request: 'POST /auth/oauth/exchange',
        body: { code: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', code_verifier: VERIFIER },
        expect: problem(401, 'oauth_code_invalid'),
      },
      // The binding is required: a start without a challenge, an exchange without a verifier.
      {
        request: 'POST /auth/oauth/google/authorize',
        body: { tenant_code: '{{t.code}}', redirect_uri: APP },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'POST /auth/oauth/exchange',
        body: { code: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
        expect: problem(400, 'validation_failed'),
      },
    ],
  },
];
