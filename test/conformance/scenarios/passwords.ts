// Passwords: registration, sign-in, change, reset; throttling and lockout.
import type { Scenario } from '../scenario';
import {
  accessToken,
  PASSWORD,
  passwordLogin,
  passwordUser,
  problem,
  SIX_DIGITS,
  sdkSignIn,
  seedTenant,
} from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'passwords: weak ones refused, sign-in, wrong and unknown alike, change and reset',
    steps: [
      passwordUser('t'),
      {
        request: 'POST /auth/register',
        body: {
          provider: 'password',
          email: { $email: 'user' },
          password: 'Password123!',
          tenant_code: '{{t.code}}',
        },
        expect: {
          ...problem(400, 'weak_password'),
          body: { errors: { $pluck: 'path', is: ['body.password'] } },
        },
      },
      {
        request: 'POST /auth/register',
        body: {
          provider: 'password',
          email: { $email: 'user' },
          password: 'short',
          tenant_code: '{{t.code}}',
        },
        expect: problem(400, 'validation_failed'),
      },
      passwordLogin('t', '{{t_email}}', problem(401, 'invalid_credentials'), {
        password: 'not the password',
      }),
      passwordLogin('t', { $email: 'nobody' }, problem(401, 'invalid_credentials')),
      { client: 'a', permissions: false },
      {
        call: 'a.login',
        args: [{ provider: 'password', email: '{{t_email}}', password: PASSWORD, tenant_code: '{{t.code}}' }],
        expect: {
          status: 'signed_in',
          amr: ['pwd'],
          person: { email: '{{t_email}}', email_verified: false },
        },
      },
      passwordLogin('t', '{{t_email}}', { status: 200 }, { save: 'other' }),
      accessToken('a', 'token'),
      {
        request: 'POST /auth/password/change',
        token: '{{token}}',
        body: { current_password: 'wrong password', new_password: 'another fine sentence' },
        expect: problem(401, 'invalid_credentials'),
      },
      {
        request: 'POST /auth/password/change',
        token: '{{token}}',
        body: { current_password: PASSWORD, new_password: 'another fine sentence' },
        expect: { body: { $exactly: { changed: true, sessions_revoked: 1 } } },
      },
      { request: 'GET /auth/me', token: '{{other.body.token}}', expect: problem(401, 'token_invalid') },
      { request: 'GET /auth/me', token: '{{token}}', expect: { status: 200 } },
      {
        request: 'POST /auth/password/reset/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}' },
        expect: { status: 200, body: { sent: true, channel: 'email', code: SIX_DIGITS } },
        save: 'requested',
      },
      {
        request: 'POST /auth/password/reset/request',
        body: { email: { $email: 'nobody' }, tenant_code: '{{t.code}}' },
        expect: { body: { $sameKeys: '{{requested.body}}' } },
      },
      {
        request: 'POST /auth/password/reset/confirm',
        body: {
          email: '{{t_email}}',
          tenant_code: '{{t.code}}',
          code: { $otherCode: '{{requested.body.code}}' },
          new_password: 'a third good sentence',
        },
        expect: problem(401, 'invalid_otp'),
      },
      {
        request: 'POST /auth/password/reset/confirm',
        body: {
          email: '{{t_email}}',
          tenant_code: '{{t.code}}',
          code: '{{requested.body.code}}',
          new_password: 'a third good sentence',
        },
        expect: { body: { $exactly: { reset: true, sessions_revoked: 1 } } },
      },
      { request: 'GET /auth/me', token: '{{token}}', expect: problem(401, 'token_invalid') },
      passwordLogin('t', '{{t_email}}', { status: 200 }, { password: 'a third good sentence' }),
    ],
  },
  {
    name: 'password reset: a tenant without passwords refuses it, wrong codes count (the fifth burns the code: 429 with Retry-After), a new email gets a verified person',
    steps: [
      passwordUser('t'),
      seedTenant('otpOnly'),
      {
        request: 'POST /auth/password/reset/request',
        body: { email: '{{t_email}}', tenant_code: '{{otpOnly.code}}' },
        expect: problem(403, 'provider_not_allowed'),
      },
      {
        request: 'POST /auth/password/reset/confirm',
        body: {
          email: '{{t_email}}',
          tenant_code: '{{otpOnly.code}}',
          code: '123456',
          new_password: 'a third good sentence',
        },
        expect: problem(403, 'provider_not_allowed'),
      },
      {
        request: 'POST /auth/password/reset/request',
        body: { email: '{{t_email}}', tenant_code: 'ZZZZ-ZZZZ-ZZZZ' },
        expect: problem(404, 'not_found'),
      },
      {
        request: 'POST /auth/password/reset/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}' },
        save: 'requested',
      },
      { let: { wrong: { $otherCode: '{{requested.body.code}}' } } },
      {
        repeat: 4,
        as: 'i',
        steps: [
          {
            request: 'POST /auth/password/reset/confirm',
            body: {
              email: '{{t_email}}',
              tenant_code: '{{t.code}}',
              code: '{{wrong}}',
              new_password: 'a third good sentence',
            },
            expect: problem(401, 'invalid_otp'),
          },
        ],
      },
      {
        request: 'POST /auth/password/reset/confirm',
        body: {
          email: '{{t_email}}',
          tenant_code: '{{t.code}}',
          code: '{{wrong}}',
          new_password: 'a third good sentence',
        },
        expect: { ...problem(429, 'otp_attempts_exceeded'), headers: { 'retry-after': '600' } },
      },
      {
        request: 'POST /auth/password/reset/confirm',
        body: {
          email: '{{t_email}}',
          tenant_code: '{{t.code}}',
          code: '{{requested.body.code}}',
          new_password: 'a third good sentence',
        },
        expect: { ...problem(429, 'otp_attempts_exceeded'), headers: { 'retry-after': '600' } },
      },
      { advanceClock: 60 },
      {
        request: 'POST /auth/password/reset/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}' },
        expect: { ...problem(429, 'otp_attempts_exceeded'), headers: { 'retry-after': '540' } },
      },
      // The five wrong codes were sign-in failures of the email: one more is throttled. The old password stands.
      passwordLogin(
        't',
        '{{t_email}}',
        { ...problem(429, 'rate_limited'), headers: { 'retry-after': '30' } },
        { password: 'wrong password' },
      ),
      { advanceClock: 31 },
      passwordLogin('t', '{{t_email}}', { status: 200 }),
      { let: { newcomer: { $email: 'new' } } },
      {
        request: 'POST /auth/password/reset/request',
        body: { email: '{{newcomer}}', tenant_code: '{{t.code}}' },
        save: 'fresh',
      },
      {
        request: 'POST /auth/password/reset/confirm',
        body: {
          email: '{{newcomer}}',
          tenant_code: '{{t.code}}',
          code: '{{fresh.body.code}}',
          new_password: 'a third good sentence',
        },
        expect: { body: { $exactly: { reset: true, sessions_revoked: 0 } } },
      },
      passwordLogin(
        't',
        '{{newcomer}}',
        { status: 200, body: { person: { email: '{{newcomer}}', email_verified: true } } },
        { password: 'a third good sentence' },
      ),
    ],
  },
  {
    name: 'throttling: five wrong passwords are free, the sixth answers 429 with Retry-After 30',
    steps: [
      passwordUser('t'),
      {
        repeat: 5,
        as: 'i',
        steps: [
          passwordLogin('t', '{{t_email}}', problem(401, 'invalid_credentials'), {
            password: 'wrong password {{i}}',
          }),
        ],
      },
      passwordLogin(
        't',
        '{{t_email}}',
        { ...problem(429, 'rate_limited'), headers: { 'retry-after': '30' } },
        { password: 'wrong password 6' },
      ),
      { advanceClock: 10 },
      passwordLogin('t', '{{t_email}}', {
        ...problem(429, 'rate_limited'),
        headers: { 'retry-after': '20' },
      }),
      { advanceClock: 21 },
      passwordLogin('t', '{{t_email}}', { status: 200 }),
    ],
  },
  {
    name: 'lockout: the 15th failure locks the account (403 account_locked, every method) until POST /accounts/{id}/unlock',
    steps: [
      passwordUser('t'),
      {
        repeat: 14,
        as: 'i',
        steps: [
          passwordLogin('t', '{{t_email}}', undefined, { password: 'wrong password {{i}}', save: 'last' }),
          { advanceClock: { retryAfterOf: '{{last}}' } },
        ],
      },
      passwordLogin('t', '{{t_email}}', problem(403, 'account_locked'), { password: 'wrong password 15' }),
      passwordLogin('t', '{{t_email}}', problem(403, 'account_locked')),
      { advanceClock: 7 * 86_400 },
      passwordLogin('t', '{{t_email}}', problem(403, 'account_locked')),
      {
        request: 'POST /auth/otp/request',
        body: { email: '{{t_email}}', tenant_code: '{{t.code}}' },
        save: 'otp',
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'email_otp',
          email: '{{t_email}}',
          otp: '{{otp.body.code}}',
          tenant_code: '{{t.code}}',
        },
        expect: problem(403, 'account_locked'),
      },
      { request: 'GET /accounts', apiKey: '{{t.apiKey}}', expect: { status: 200 }, save: 'accounts' },
      { let: { locked: { $find: '{{accounts.body.data}}', where: { email: '{{t_email}}' } } } },
      sdkSignIn('member', 't'),
      accessToken('member', 'memberToken'),
      {
        request: 'POST /accounts/{{locked.id}}/unlock',
        token: '{{memberToken}}',
        expect: problem(403, 'forbidden'),
      },
      seedTenant('other'),
      {
        request: 'POST /accounts/{{locked.id}}/unlock',
        apiKey: '{{other.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'POST /accounts/{{locked.id}}/unlock',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { $exactly: { was_locked: true, was_throttled: true, status_lock_lifted: false } },
        },
      },
      {
        request: 'POST /accounts/{{locked.id}}/unlock',
        apiKey: '{{t.apiKey}}',
        expect: {
          body: { $exactly: { was_locked: false, was_throttled: false, status_lock_lifted: false } },
        },
      },
      passwordLogin('t', '{{t_email}}', { status: 200 }),
    ],
  },
  {
    name: 'registration says the same for a known email as for a new one (no account enumeration)',
    steps: [
      passwordUser('t'),
      {
        request: 'POST /auth/register',
        body: {
          provider: 'password',
          email: '{{t_email}}',
          password: 'another fine sentence',
          tenant_code: '{{t.code}}',
        },
        expect: { status: 202, body: { $exactly: { accepted: true, next: 'login' } } },
      },
      // the first password stands
      passwordLogin('t', '{{t_email}}', { status: 200 }),
      passwordLogin('t', '{{t_email}}', problem(401, 'invalid_credentials'), {
        password: 'another fine sentence',
      }),
      {
        request: 'POST /auth/register',
        body: { provider: 'email_otp', email: '{{t_email}}', tenant_code: '{{t.code}}' },
        expect: { status: 202, body: { $exactly: { accepted: true, next: 'otp_request' } } },
      },
      {
        request: 'POST /auth/register',
        body: { provider: 'email_otp', email: { $email: 'new' }, tenant_code: '{{t.code}}' },
        expect: { status: 202, body: { $exactly: { accepted: true, next: 'otp_request' } } },
      },
    ],
  },
];
