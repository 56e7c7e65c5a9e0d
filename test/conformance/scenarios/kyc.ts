// The KYC module (#16) on the mock and the server alike: settings (secrets never answered), the module off
// (403), a verification started and decided on the development provider's page, what approval and
// rejection change (`POST /authorize` for `transfers.create`, `GET /kyc/status`), webhook refusals.
import type { Scenario } from '../scenario';
import { accessToken, problem, sdkSignIn, seedTenant } from './_steps';

const transfers = (token: string, allowed: boolean) => ({
  request: 'POST /authorize' as const,
  token,
  body: { action: 'transfers.create' },
  expect: { status: 200, body: { allowed } },
});

export const scenarios: Scenario[] = [
  {
    name: 'KYC: module off is 403; development provider approval unlocks transfers.create; a second decision is 409',
    steps: [
      seedTenant('t'),
      sdkSignIn('m', 't'),
      accessToken('m', 'mToken'),
      {
        request: 'GET /tenants/{{t.id}}/modules/kyc',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { enabled: false, group: 'verified', webhook_secret_set: false } },
      },
      {
        request: 'POST /kyc/sessions',
        token: '{{mToken}}',
        body: {},
        expect: problem(403, 'module_disabled'),
      },
      {
        request: 'PUT /tenants/{{t.id}}/modules/kyc',
        apiKey: '{{t.apiKey}}',
        body: { enabled: true, provider: 'development', api_key: 'dev-api-key-not-returned' },
        expect: { status: 200, body: { enabled: true, provider: 'development', api_key_set: true } },
        save: 'settings',
      },
      { check: '{{settings.body}}', is: { $notContaining: 'dev-api-key-not-returned' } },
      transfers('{{mToken}}', false),
      {
        request: 'POST /kyc/sessions',
        token: '{{mToken}}',
        body: {},
        expect: {
          status: 201,
          body: {
            provider: 'development',
            status: 'pending',
            url: { $match: '/kyc/dev/[A-Za-z0-9_-]{43}$' },
          },
        },
        save: 'session',
      },
      { let: { pageToken: { $slice: '{{session.body.url}}', start: -43 } } },
      {
        request: 'GET /kyc/status',
        token: '{{mToken}}',
        expect: {
          status: 200,
          body: { status: 'pending', level: 'none', session: { id: '{{session.body.id}}' } },
        },
      },
      {
        request: 'POST /kyc/dev/{{pageToken}}',
        body: { decision: 'approved' },
        expect: { status: 200, body: { id: '{{session.body.id}}', status: 'approved' } },
      },
      transfers('{{mToken}}', true),
      {
        request: 'GET /kyc/status',
        token: '{{mToken}}',
        expect: { status: 200, body: { status: 'approved', level: 'verified' } },
      },
      {
        request: 'POST /kyc/dev/{{pageToken}}',
        body: { decision: 'rejected' },
        expect: problem(409, 'conflict'),
      },
      {
        request: 'POST /kyc/sessions',
        token: '{{mToken}}',
        body: {},
        expect: { status: 200, body: { id: '{{session.body.id}}', status: 'approved', url: null } },
      },
    ],
  },
  {
    name: 'KYC: rejection leaves transfers denied; unknown page tokens are 404; unsigned webhooks are 401',
    steps: [
      seedTenant('t'),
      sdkSignIn('m', 't'),
      accessToken('m', 'mToken'),
      {
        request: 'PUT /tenants/{{t.id}}/modules/kyc',
        apiKey: '{{t.apiKey}}',
        body: { enabled: true, provider: 'development' },
        expect: { status: 200 },
      },
      {
        request: 'POST /kyc/sessions',
        token: '{{mToken}}',
        body: {},
        expect: { status: 201 },
        save: 'session',
      },
      { let: { pageToken: { $slice: '{{session.body.url}}', start: -43 } } },
      {
        request: 'POST /kyc/dev/{{pageToken}}',
        body: { decision: 'rejected' },
        expect: { status: 200, body: { status: 'rejected' } },
      },
      transfers('{{mToken}}', false),
      {
        request: 'GET /kyc/status',
        token: '{{mToken}}',
        expect: { status: 200, body: { status: 'rejected' } },
      },
      {
        request: 'GET /kyc/dev/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'POST /kyc/webhooks/persona',
        body: { data: { id: 'evt_1', attributes: { name: 'inquiry.approved' } } },
        expect: problem(401, 'webhook_signature_invalid'),
      },
      {
        request: 'PUT /tenants/{{t.id}}/modules/kyc',
        apiKey: '{{t.apiKey}}',
        body: { enabled: true, provider: 'persona' },
        expect: problem(400, 'validation_failed'),
      },
    ],
  },
];
