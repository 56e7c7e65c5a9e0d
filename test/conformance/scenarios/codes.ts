// Magic links and phone codes (dev mode: the answer carries the token or code).
import type { Data, ExpectAnswer, Scenario } from '../scenario';
import {
  accessToken,
  allow,
  passwordLogin,
  passwordUser,
  problem,
  SIX_DIGITS,
  sdkSignIn,
  seedTenant,
} from './_steps';

/** A code for `{{phone}}` (no tenant: a linking code), saved as `save`. */
const phoneCode = (save: string) => ({
  request: 'POST /auth/otp/request' as const,
  body: { phone: '{{phone}}' },
  expect: { status: 200, body: { channel: 'sms' } },
  save,
});
/** Links `{{phone}}` with `otp` (a value) for the bearer `token`. */
const link = (otp: string | { $otherCode: string }, expect: object, token = '{{token}}', save?: string) => ({
  request: 'POST /auth/identities/phone' as const,
  token,
  body: { phone: '{{phone}}', otp },
  expect,
  ...(save ? { save } : {}),
});

/** An email code sign-in of `{{who}}` at `{{t}}` with `otp` (a value). */
const otpLogin = (otp: Data, expect: ExpectAnswer) => ({
  request: 'POST /auth/login' as const,
  body: { provider: 'email_otp', email: '{{who}}', otp, tenant_code: '{{t.code}}' },
  expect,
});
const otpRequest = (save: string) => ({
  request: 'POST /auth/otp/request' as const,
  body: { email: '{{who}}', tenant_code: '{{t.code}}' },
  expect: { status: 200, body: { sent: true, channel: 'email', code: SIX_DIGITS } },
  save,
});

export const scenarios: Scenario[] = [
  {
    name: 'email codes: single use, dead after 10 minutes, and five wrong tries burn the code',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'user' } } },
      otpRequest('first'),
      otpLogin('{{first.body.code}}', { status: 200 }),
      otpLogin('{{first.body.code}}', problem(401, 'invalid_otp')),
      otpRequest('late'),
      { advanceClock: 601 },
      otpLogin('{{late.body.code}}', problem(401, 'invalid_otp')),
      otpRequest('burnt'),
      { repeat: 4, steps: [otpLogin({ $otherCode: '{{burnt.body.code}}' }, problem(401, 'invalid_otp'))] },
      {
        ...otpLogin(
          { $otherCode: '{{burnt.body.code}}' },
          { ...problem(429, 'otp_attempts_exceeded'), headers: { 'retry-after': { $match: '^\\d+$' } } },
        ),
        save: 'fifth',
      },
      { advanceClock: { retryAfterOf: '{{fifth}}' } },
      // the right code, once the pause is over: burnt all the same
      otpLogin('{{burnt.body.code}}', problem(401, 'invalid_otp')),
      otpRequest('fresh'),
      otpLogin('{{fresh.body.code}}', { status: 200 }),
    ],
  },
  {
    name: 'magic links: the dev-mode token signs in once',
    steps: [
      passwordUser('t'),
      {
        request: 'POST /auth/magic-link/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}' },
        expect: problem(400, 'bad_request'),
      },
      {
        request: 'PUT /tenants/{{t.id}}/magic-link',
        apiKey: '{{t.apiKey}}',
        body: { redirect_urls: ['https://app.example/sign-in'] },
        expect: { body: { $exactly: { redirect_urls: ['https://app.example/sign-in'] } } },
      },
      {
        request: 'POST /auth/magic-link/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}' },
        expect: { status: 200, body: { link: 'https://app.example/sign-in?token={{sent.body.token}}' } },
        save: 'sent',
      },
      { let: { magic: { provider: 'magic_link', token: '{{sent.body.token}}', tenant_code: '{{t.code}}' } } },
      {
        request: 'POST /auth/login',
        body: '{{magic}}',
        expect: {
          status: 200,
          body: { person: { email: '{{t_email}}', email_verified: true }, token: { $jwt: { amr: ['otp'] } } },
        },
      },
      { request: 'POST /auth/login', body: '{{magic}}', expect: problem(401, 'magic_link_invalid') },
      // Proving the email dropped the password registered before any proof (pre-hijacking defence).
      passwordLogin('t', '{{t_email}}', problem(401, 'invalid_credentials')),
    ],
  },
  {
    name: "magic links: registered redirect URLs only, a new link supersedes the last, another tenant's id is a 404",
    steps: [
      passwordUser('t'),
      seedTenant('other'),
      { let: { urls: ['https://app.example/sign-in?tenant=acme', 'https://other.example/in'] } },
      {
        request: 'PUT /tenants/{{t.id}}/magic-link',
        apiKey: '{{t.apiKey}}',
        body: { redirect_urls: '{{urls}}' },
      },
      {
        request: 'GET /tenants/{{t.id}}/magic-link',
        apiKey: '{{t.apiKey}}',
        expect: { body: { $exactly: { redirect_urls: '{{urls}}' } } },
      },
      {
        request: 'GET /tenants/{{other.id}}/magic-link',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'POST /auth/magic-link/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}', redirect_url: 'https://evil.example/' },
        expect: {
          ...problem(400, 'validation_failed'),
          body: { errors: { $pluck: 'path', is: ['body.redirect_url'] } },
        },
      },
      {
        request: 'POST /auth/magic-link/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}' },
        expect: { body: { link: '{{urls[0]}}&token={{first.body.token}}' } },
        save: 'first',
      },
      {
        request: 'POST /auth/magic-link/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}', redirect_url: '{{urls[1]}}' },
        expect: { body: { link: '{{urls[1]}}?token={{second.body.token}}' } },
        save: 'second',
      },
      {
        request: 'POST /auth/login',
        body: { provider: 'magic_link', token: '{{first.body.token}}', tenant_code: '{{t.code}}' },
        expect: problem(401, 'magic_link_invalid'),
      },
      allow('other', ['email_otp', 'magic_link']),
      {
        request: 'POST /auth/login',
        body: { provider: 'magic_link', token: '{{second.body.token}}', tenant_code: '{{other.code}}' },
        expect: problem(401, 'magic_link_invalid'),
      },
      {
        request: 'POST /auth/login',
        body: { provider: 'magic_link', token: '{{second.body.token}}', tenant_code: '{{t.code}}' },
        expect: { status: 200 },
      },
    ],
  },
  {
    name: 'phone codes: the dev-mode code signs in a person without an email',
    steps: [
      seedTenant('t'),
      allow('t', ['email_otp', 'phone_otp']),
      { let: { phone: { $phone: '+1555' } } },
      {
        request: 'POST /auth/otp/request',
        body: { phone: '{{phone}}', tenant_code: '{{t.code}}' },
        expect: { body: { sent: true, channel: 'sms', code: SIX_DIGITS } },
        save: 'sent',
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'phone_otp',
          phone: '{{phone}}',
          otp: { $otherCode: '{{sent.body.code}}' },
          tenant_code: '{{t.code}}',
        },
        expect: problem(401, 'invalid_otp'),
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'phone_otp',
          phone: '{{phone}}',
          otp: '{{sent.body.code}}',
          tenant_code: '{{t.code}}',
        },
        expect: { status: 200, body: { person: { email: null }, token: { $jwt: { amr: ['sms'] } } } },
      },
    ],
  },
  {
    name: 'SMS destinations: a number outside the tenant allowed calling codes is 403 sms_destination_not_allowed, nothing sent',
    steps: [
      seedTenant('t'),
      allow('t', ['email_otp', 'phone_otp']),
      {
        request: 'PATCH /tenants/{{t.id}}',
        apiKey: '{{t.apiKey}}',
        body: { auth_settings: { phone: { allowed_calling_codes: ['+44'] } } },
        expect: { status: 200, body: { auth_settings: { phone: { allowed_calling_codes: ['+44'] } } } },
      },
      { let: { phone: { $phone: '+1555' } } },
      {
        request: 'POST /auth/otp/request',
        body: { phone: '{{phone}}', tenant_code: '{{t.code}}' },
        expect: problem(403, 'sms_destination_not_allowed'),
      },
      { let: { uk: { $phone: '+4420' } } },
      {
        request: 'POST /auth/otp/request',
        body: { phone: '{{uk}}', tenant_code: '{{t.code}}' },
        expect: { body: { sent: true, channel: 'sms', code: SIX_DIGITS } },
      },
    ],
  },
  {
    name: 'phone linking: a proven phone is linked (201, then 200), then signs in as that person; wrong or login-purpose codes are 401, a phone of someone else 409',
    steps: [
      seedTenant('t'),
      allow('t', ['email_otp', 'phone_otp']),
      sdkSignIn('a', 't'),
      accessToken('a', 'token'),
      { let: { phone: { $phone: '+1415' } } },
      phoneCode('code'),
      link({ $otherCode: '{{code.body.code}}' }, problem(401, 'invalid_otp')),
      {
        request: 'POST /auth/otp/request',
        body: { phone: '{{phone}}', tenant_code: '{{t.code}}' },
        save: 'loginCode',
      },
      link('{{loginCode.body.code}}', problem(401, 'invalid_otp')),
      {
        request: 'POST /auth/identities/phone',
        body: { phone: '{{phone}}', otp: '{{code.body.code}}' },
        expect: problem(401, 'unauthenticated'),
      },
      link(
        '{{code.body.code}}',
        { status: 201, body: { provider: 'phone_otp', subject: '{{phone}}', email: null } },
        '{{token}}',
        'linked',
      ),
      phoneCode('again'),
      link('{{again.body.code}}', { status: 200, body: { id: '{{linked.body.id}}' } }),
      {
        request: 'GET /auth/identities',
        token: '{{token}}',
        expect: { body: { data: { $pluck: 'provider', is: ['email_otp', 'phone_otp'] } } },
      },
      {
        request: 'POST /auth/otp/request',
        body: { phone: '{{phone}}', tenant_code: '{{t.code}}' },
        save: 'issued',
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'phone_otp',
          phone: '{{phone}}',
          otp: '{{issued.body.code}}',
          tenant_code: '{{t.code}}',
        },
        expect: { status: 200, body: { person: { id: '{{a_signedIn.person.id}}' } } },
      },
      sdkSignIn('stranger', 't'),
      phoneCode('third'),
      accessToken('stranger', 'strangerToken'),
      link('{{third.body.code}}', problem(409, 'identity_already_linked'), '{{strangerToken}}'),
    ],
  },
];
