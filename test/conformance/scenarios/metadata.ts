// Issue #14's account metadata: admins set public and private metadata, the user their own user metadata,
// and a policy reads `subject.attributes.kyc_level` from public metadata, in decisions and in the token's
// `attrs`; a mistyped value is absent. The same answers from the server and the mock.
import type { Scenario } from '../scenario';
import { problem, sdkSignIn, seedTenant } from './_steps';

const login = (save: string) => [
  {
    request: 'POST /auth/otp/request' as const,
    body: { email: '{{who}}', tenant_code: '{{t.code}}' },
    save: '_otp',
  },
  {
    request: 'POST /auth/login' as const,
    body: { provider: 'email_otp', email: '{{who}}', otp: '{{_otp.body.code}}', tenant_code: '{{t.code}}' },
    expect: { status: 200 },
    save,
  },
];

const authorizeTransfer = (token: string, allowed: boolean) => ({
  request: 'POST /authorize' as const,
  token,
  body: { action: 'transfers.create' },
  expect: { status: 200, body: { allowed } },
});

export const scenarios: Scenario[] = [
  {
    name: 'metadata: admins merge public and private metadata, the user reads public and user metadata and writes only their own',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'user' } } },
      ...login('u'),
      {
        request: 'PATCH /accounts/{{u.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        body: { public_metadata: { plan: 'pro', seats: 3 }, private_metadata: { risk: 'low' } },
        expect: {
          status: 200,
          body: {
            public_metadata: { $exactly: { plan: 'pro', seats: 3 } },
            private_metadata: { $exactly: { risk: 'low' } },
            user_metadata: { $exactly: {} },
          },
        },
      },
      {
        request: 'PATCH /accounts/{{u.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        body: { public_metadata: { seats: null, tags: ['a'] } },
        expect: { status: 200, body: { public_metadata: { $exactly: { plan: 'pro', tags: ['a'] } } } },
      },
      {
        request: 'PATCH /accounts/{{u.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        body: { private_metadata: { blob: 'x'.repeat(9000) } },
        expect: problem(400, 'metadata_too_large'),
      },
      {
        request: 'PATCH /accounts/{{u.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        body: { public_metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'PATCH /accounts/{{u.body.account.id}}',
        token: '{{u.body.token}}',
        body: { public_metadata: { plan: 'free' } },
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'GET /auth/me',
        token: '{{u.body.token}}',
        expect: {
          status: 200,
          body: {
            $notContaining: 'risk',
            account: {
              public_metadata: { $exactly: { plan: 'pro', tags: ['a'] } },
              private_metadata: { $absent: true },
            },
          },
        },
      },
      {
        request: 'PATCH /auth/me/metadata',
        token: '{{u.body.token}}',
        body: { user_metadata: { theme: 'dark', lang: 'fr' } },
        expect: {
          status: 200,
          body: { account: { user_metadata: { $exactly: { theme: 'dark', lang: 'fr' } } } },
        },
      },
      {
        request: 'PATCH /auth/me/metadata',
        token: '{{u.body.token}}',
        body: { user_metadata: { lang: null } },
        expect: { status: 200, body: { account: { user_metadata: { $exactly: { theme: 'dark' } } } } },
      },
      {
        request: 'PATCH /auth/me/metadata',
        token: '{{u.body.token}}',
        body: { public_metadata: { plan: 'free' } },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'GET /accounts/{{u.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            public_metadata: { $exactly: { plan: 'pro', tags: ['a'] } },
            private_metadata: { $exactly: { risk: 'low' } },
            user_metadata: { $exactly: { theme: 'dark' } },
          },
        },
      },
    ],
  },
  {
    name: 'metadata: subject.attributes.kyc_level from public metadata decides on the server, in the token and in the SDK; a mistyped value is absent',
    steps: [
      seedTenant('t'),
      sdkSignIn('a', 't', { permissions: true }),
      { let: { who: '{{a_email}}' } },
      ...login('u'),
      { request: 'GET /policy', apiKey: '{{t.apiKey}}', expect: { status: 200 }, save: 'current' },
      {
        request: 'PUT /policy',
        apiKey: '{{t.apiKey}}',
        headers: { 'if-match': '{{current.body.etag}}' },
        body: {
          $with: '{{current.body.document}}',
          set: {
            subject_attributes: { kyc_level: { type: 'number', from: 'public_metadata.kyc_level' } },
          },
          append: {
            rules: [
              {
                id: 'transfers-need-kyc-2',
                effect: 'allow',
                actions: ['transfers.create'],
                condition: { gte: ['subject.attributes.kyc_level', 2] },
              },
            ],
          },
        },
        expect: { status: 200 },
      },
      authorizeTransfer('{{u.body.token}}', false),
      {
        request: 'PATCH /accounts/{{u.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        body: { public_metadata: { kyc_level: 2, score: 99 } },
        expect: { status: 200 },
      },
      // The server decides with the account as it is now: the same token.
      authorizeTransfer('{{u.body.token}}', true),
      {
        request: 'GET /auth/permissions',
        token: '{{u.body.token}}',
        expect: { status: 200, body: { subject: { attributes: { $exactly: { kyc_level: 2 } } } } },
      },
      {
        request: 'POST /auth/refresh',
        body: { refresh_token: '{{u.body.refresh_token}}' },
        expect: { status: 200, body: { token: { $jwt: { attrs: { $exactly: { kyc_level: 2 } } } } } },
        save: 'r',
      },
      // The browser SDK decides locally with the subject it loads.
      { call: 'a.reloadPermissions' },
      { call: 'a.can', args: ['transfers.create'], expect: true },
      // "2" is no number: absent everywhere.
      {
        request: 'PATCH /accounts/{{u.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        body: { public_metadata: { kyc_level: '2' } },
        expect: { status: 200 },
      },
      authorizeTransfer('{{r.body.token}}', false),
      {
        request: 'GET /auth/permissions',
        token: '{{r.body.token}}',
        expect: { status: 200, body: { subject: { attributes: { $exactly: {} } } } },
      },
      {
        request: 'POST /auth/refresh',
        body: { refresh_token: '{{r.body.refresh_token}}' },
        expect: { status: 200, body: { token: { $jwt: { attrs: { $absent: true } } } } },
      },
      { call: 'a.reloadPermissions' },
      { call: 'a.can', args: ['transfers.create'], expect: false },
    ],
  },
];
