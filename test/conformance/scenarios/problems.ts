// Problem codes, and hostile requests refused before any route runs.
import type { Scenario } from '../scenario';
import { problem, sdkSignIn, seedTenant } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'answers with the same problem codes',
    steps: [
      seedTenant('t'),
      {
        request: 'PUT /tenants/{{t.id}}/auth-provider',
        apiKey: '{{t.apiKey}}',
        body: { provider: 'email_otp', allow_signup: false },
        expect: { status: 200 },
      },
      { client: 'a', permissions: false },
      { let: { who: { $email: 'user' } } },
      {
        call: 'a.requestOtp',
        args: ['not-an-email'],
        rejects: { code: 'validation_failed', status: 400, errors: { $pluck: 'path', is: ['body.email'] } },
      },
      {
        request: 'POST /auth/otp/request',
        body: { email: '{{who}}', tenantCode: 'x' },
        expect: problem(400, 'validation_failed'),
      },
      {
        call: 'a.requestOtp',
        args: ['{{who}}', { tenantCode: 'ZZZZ-ZZZZ-ZZZZ' }],
        rejects: { code: 'not_found', status: 404 },
      },
      { call: 'a.requestOtp', args: ['{{who}}', { tenantCode: '{{t.code}}' }], save: 'otp' },
      {
        call: 'a.loginWithOtp',
        args: [{ email: '{{who}}', otp: { $otherCode: '{{otp.code}}' }, tenantCode: '{{t.code}}' }],
        rejects: { code: 'invalid_otp', status: 401 },
      },
      // Invite-only tenant: a right code from someone without an account.
      {
        call: 'a.loginWithOtp',
        args: [{ email: '{{who}}', otp: '{{otp.code}}', tenantCode: '{{t.code}}' }],
        rejects: { code: 'signup_disabled', status: 403 },
      },
      { request: 'GET /auth/me', expect: problem(401, 'unauthenticated') },
      { request: 'GET /auth/me', apiKey: '{{t.apiKey}}', expect: problem(403, 'credential_not_allowed') },
      { request: 'GET /groups', apiKey: 'enf_not-a-key', expect: problem(401, 'invalid_credentials') },
      {
        request: 'POST /auth/refresh',
        body: { refresh_token: 'nope' },
        expect: problem(401, 'refresh_token_invalid'),
      },
      { request: 'POST /auth/logout', body: {}, expect: problem(400, 'bad_request') },
      { request: 'GET /directory/tenants/resolve?code=ZZZZ-ZZZZ-ZZZZ', expect: problem(404, 'not_found') },
      {
        request: 'GET /tenants/{{t.id}}/auth-provider',
        apiKey: '{{t.apiKey}}',
        expect: { ...problem(405, 'method_not_allowed'), headers: { allow: 'PUT' } },
      },
      { request: 'GET /nothing-here', expect: problem(404, 'not_found') },

      seedTenant('open'),
      sdkSignIn('member', 'open'),
      {
        call: 'member.api.groups.create',
        args: [{ body: { name: 'vip' } }],
        expect: { status: 403, body: { code: 'forbidden' } },
      },
      {
        call: 'member.api.accounts.get',
        args: [{ params: { id: 'not-a-uuid' } }],
        expect: { status: 400, body: { code: 'validation_failed', errors: [{ path: 'params.id' }] } },
      },
    ],
  },
  {
    name: 'refuses the same hostile requests before any route runs (depth, NUL, lone surrogates, charset, bodies where none is taken)',
    steps: [
      seedTenant('t'),
      {
        request: 'POST /auth/otp/request',
        raw: `{"email":${'['.repeat(100)}${']'.repeat(100)}}`,
        expect: {
          ...problem(400, 'validation_failed'),
          body: { errors: { 0: { message: { $match: 'deeper than 64 levels' } } } },
        },
      },
      {
        each: ['a\u0000b', '\ud800'],
        as: 'name',
        steps: [
          {
            request: 'POST /api-keys',
            token: '{{t.ownerToken}}',
            body: { name: '{{name}}' },
            expect: {
              ...problem(400, 'validation_failed'),
              body: { errors: { $pluck: 'path', is: ['body.name'] } },
            },
          },
        ],
      },
      {
        request: 'POST /auth/magic-link/request',
        body: { email: { $email: 'user' }, tenant_code: '{{t.code}}', redirect_url: 'notaurl' },
        expect: problem(400, 'validation_failed'),
      },
      { let: { who: { $email: 'user' } } },
      {
        request: 'POST /auth/otp/request',
        raw: '{"email":"{{who}}"}',
        contentType: 'application/json; charset=utf-16',
        expect: problem(415, 'unsupported_media_type'),
      },
      {
        request: 'POST /auth/mfa/totp/enroll',
        raw: 'null',
        token: '{{t.ownerToken}}',
        expect: problem(400, 'bad_request'),
      },
      {
        request: 'GET /groups?cursor=a%00b',
        apiKey: '{{t.apiKey}}',
        expect: problem(400, 'validation_failed'),
      },
      // The key list is unchanged by all of the above.
      { request: 'GET /api-keys', apiKey: '{{t.apiKey}}', expect: { body: { data: { $length: 1 } } } },
    ],
  },
];
