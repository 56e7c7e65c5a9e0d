// Machine clients (#18): applications, the client credentials grant, introspection and revocation, the
// same on the mock and the server (one core: server/core/src/applications, server/core/src/oauth).
import type { Scenario } from '../scenario';
import { ACCESS_TTL, problem, seedTenant } from './_steps';

const FORM = 'application/x-www-form-urlencoded';
const oauthError = (status: 400 | 401, error: string) => ({
  status,
  body: { error, error_description: { $type: 'string' }, code: { $absent: true } },
  headers: { 'cache-control': 'no-store' },
});
const grant = (app: string, secret: string, scope?: string) =>
  `grant_type=client_credentials&client_id={{${app}.body.client_id}}&client_secret=${secret}${scope ? `&scope=${scope}` : ''}`;

export const scenarios: Scenario[] = [
  {
    name: 'Applications: secret once, client credentials with scopes, OAuth errors, introspection and revocation per tenant, rotation and deletion',
    steps: [
      seedTenant('t'),
      seedTenant('u'),
      {
        request: 'POST /applications',
        apiKey: '{{t.apiKey}}',
        body: { name: 'worker', scopes: ['accounts.read', 'transfers.create'] },
        expect: {
          status: 201,
          body: {
            client_id: { $match: '^enfapp_[A-Za-z0-9_-]{22}$' },
            client_secret: { $match: '^enfsec_[A-Za-z0-9_-]{43}$' },
            scopes: ['accounts.read', 'transfers.create'],
            last_used_at: null,
          },
        },
        save: 'app',
      },
      {
        request: 'POST /applications',
        apiKey: '{{t.apiKey}}',
        body: { name: 'typo', scopes: ['acounts.read'] },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'GET /applications/{{app.body.id}}',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { client_id: '{{app.body.client_id}}', client_secret: { $absent: true } },
        },
      },
      {
        request: 'GET /applications/{{app.body.id}}',
        apiKey: '{{u.apiKey}}',
        expect: problem(404, 'not_found'),
      },

      // The grant: a narrower scope, then the errors.
      {
        request: 'POST /oauth/token',
        raw: grant('app', '{{app.body.client_secret}}', 'accounts.read'),
        contentType: FORM,
        expect: {
          status: 200,
          body: {
            token_type: 'Bearer',
            scope: 'accounts.read',
            expires_in: ACCESS_TTL,
            access_token: { $type: 'string' },
          },
          headers: { 'cache-control': 'no-store' },
        },
        save: 'tok',
      },
      {
        request: 'POST /oauth/token',
        raw: grant('app', 'enfsec_wrong'),
        contentType: FORM,
        expect: {
          ...oauthError(401, 'invalid_client'),
          headers: { 'www-authenticate': { $match: '^Basic realm=' } },
        },
      },
      {
        request: 'POST /oauth/token',
        raw: grant('app', '{{app.body.client_secret}}', 'policy.update'),
        contentType: FORM,
        expect: oauthError(400, 'invalid_scope'),
      },
      {
        request: 'POST /oauth/token',
        raw: 'grant_type=password',
        contentType: FORM,
        expect: oauthError(400, 'unsupported_grant_type'),
      },

      // Introspection: the tenant's credentials see it; another tenant's see nothing.
      {
        request: 'POST /oauth/introspect',
        apiKey: '{{t.apiKey}}',
        raw: 'token={{tok.body.access_token}}',
        contentType: FORM,
        expect: {
          status: 200,
          body: {
            active: true,
            token_kind: 'client',
            client_id: '{{app.body.client_id}}',
            sub: '{{app.body.client_id}}',
            tenant_id: '{{t.id}}',
            scope: 'accounts.read',
          },
        },
      },
      {
        request: 'POST /oauth/introspect',
        apiKey: '{{u.apiKey}}',
        raw: 'token={{tok.body.access_token}}',
        contentType: FORM,
        expect: {
          status: 200,
          body: { active: false, client_id: { $absent: true }, tenant_id: { $absent: true } },
        },
      },
      {
        request: 'POST /oauth/introspect',
        raw: 'token={{tok.body.access_token}}',
        contentType: FORM,
        expect: oauthError(401, 'invalid_client'),
      },
      {
        request: 'POST /oauth/revoke',
        apiKey: '{{u.apiKey}}',
        raw: 'token={{tok.body.access_token}}',
        contentType: FORM,
        expect: { status: 200, body: {} },
      },
      {
        request: 'POST /oauth/revoke',
        apiKey: '{{t.apiKey}}',
        raw: 'token={{tok.body.access_token}}',
        contentType: FORM,
        expect: { status: 200, body: {} },
      },
      {
        request: 'POST /oauth/introspect',
        apiKey: '{{t.apiKey}}',
        raw: 'token={{tok.body.access_token}}',
        contentType: FORM,
        expect: { status: 200, body: { active: false, token_kind: { $absent: true } } },
      },

      // Rotation ends the old secret at once; deletion ends the application.
      {
        request: 'POST /applications/{{app.body.id}}/rotate-secret',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { client_secret: { $match: '^enfsec_' } } },
        save: 'rot',
      },
      {
        request: 'POST /oauth/token',
        raw: grant('app', '{{app.body.client_secret}}'),
        contentType: FORM,
        expect: oauthError(401, 'invalid_client'),
      },
      {
        request: 'POST /oauth/token',
        raw: grant('app', '{{rot.body.client_secret}}'),
        contentType: FORM,
        expect: { status: 200, body: { scope: 'accounts.read transfers.create' } },
        save: 'tok2',
      },
      { request: 'DELETE /applications/{{app.body.id}}', apiKey: '{{t.apiKey}}', expect: { status: 204 } },
      {
        request: 'POST /oauth/token',
        raw: grant('app', '{{rot.body.client_secret}}'),
        contentType: FORM,
        expect: oauthError(401, 'invalid_client'),
      },
      {
        request: 'POST /oauth/introspect',
        apiKey: '{{t.apiKey}}',
        raw: 'token={{tok2.body.access_token}}',
        contentType: FORM,
        expect: { status: 200, body: { active: false } },
      },
    ],
  },
];
