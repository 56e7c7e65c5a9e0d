// TOTP, recovery codes and step-up.
import type { Scenario } from '../scenario';
import { mfaUser, PASSWORD, passwordLogin, passwordUser, problem } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'require_mfa: a person without a second factor enrols at sign-in with the mfa_token, then signs in through mfa_required',
    steps: [
      passwordUser('u'),
      {
        request: 'PATCH /tenants/{{u.id}}',
        apiKey: '{{u.apiKey}}',
        body: { auth_settings: { mfa: { required: 'everyone' } } },
        expect: { status: 200, body: { auth_settings: { mfa: { required: 'everyone' } } } },
      },
      passwordLogin(
        'u',
        '{{u_email}}',
        {
          ...problem(401, 'mfa_enrollment_required'),
          body: { mfa_token: { $match: '^emt_' }, mfa_methods: ['totp'] },
        },
        { save: 'held' },
      ),
      {
        request: 'POST /auth/mfa/enroll',
        body: { mfa_token: '{{held.body.mfa_token}}' },
        expect: { status: 200, body: { qr_code: { $match: '^data:image/png;base64,' } } },
        save: 'enrollment',
      },
      {
        request: 'POST /auth/mfa/enroll/confirm',
        body: { mfa_token: '{{held.body.mfa_token}}', code: '000000' },
        expect: problem(401, 'invalid_mfa_code'),
      },
      {
        request: 'POST /auth/mfa/enroll/confirm',
        body: { mfa_token: '{{held.body.mfa_token}}', code: { $totp: '{{enrollment.body.secret}}' } },
        expect: {
          status: 200,
          body: {
            recovery_codes: { $length: 10 },
            token: { $jwt: { amr: ['pwd', 'totp', 'mfa'], mfa_at: { $nowSeconds: 0 } } },
          },
        },
      },
      {
        request: 'POST /auth/mfa/enroll/confirm',
        body: { mfa_token: '{{held.body.mfa_token}}', code: { $totp: '{{enrollment.body.secret}}' } },
        expect: problem(401, 'mfa_token_invalid'),
      },
      { advanceClock: 30 },
      passwordLogin('u', '{{u_email}}', problem(401, 'mfa_required')),
    ],
  },
  {
    name: 'TOTP: mfa_required with an mfa_token, verify with a code, tokens carry mfa_at; no replay',
    steps: [
      mfaUser('u'),
      passwordLogin(
        'u',
        '{{u_email}}',
        {
          ...problem(401, 'mfa_required'),
          body: { mfa_token: { $match: '^emt_' }, mfa_methods: ['totp', 'recovery_code'] },
        },
        { save: 'first' },
      ),
      // The code of the step that confirmed enrolment was used: a replay.
      {
        request: 'POST /auth/mfa/verify',
        body: { mfa_token: '{{first.body.mfa_token}}', code: { $totp: '{{u_secret}}' } },
        expect: problem(401, 'invalid_mfa_code'),
      },
      { advanceClock: 30 },
      {
        request: 'POST /auth/mfa/verify',
        body: { mfa_token: '{{first.body.mfa_token}}', code: { $totp: '{{u_secret}}' } },
        expect: { status: 200 },
        save: 'verified',
      },
      { let: { claims: { $claims: '{{verified.body.token}}' } } },
      { check: '{{claims}}', is: { amr: ['pwd', 'totp', 'mfa'], mfa_at: { $nowSeconds: 0 } } },
      {
        request: 'POST /auth/mfa/verify',
        body: { mfa_token: '{{first.body.mfa_token}}', code: { $totp: '{{u_secret}}' } },
        expect: problem(401, 'mfa_token_invalid'),
      },
      {
        request: 'GET /auth/mfa',
        token: '{{verified.body.token}}',
        expect: { body: { enabled: true, pending: false, recovery_codes_remaining: 10 } },
      },
      // Refreshes keep mfa_at.
      { advanceClock: 5 },
      {
        request: 'POST /auth/refresh',
        body: { refresh_token: '{{verified.body.refresh_token}}' },
        expect: { body: { token: { $jwt: { mfa_at: '{{claims.mfa_at}}' } } } },
      },
    ],
  },
  {
    name: 'recovery codes work once each',
    steps: [
      mfaUser('u'),
      passwordLogin('u', '{{u_email}}', undefined, { save: 'first' }),
      {
        request: 'POST /auth/mfa/verify',
        body: {
          mfa_token: '{{first.body.mfa_token}}',
          recovery_code: { $upper: '{{u_recovery.body.recovery_codes[0]}}' },
        },
        expect: { status: 200, body: { token: { $jwt: { amr: ['pwd', 'recovery_code', 'mfa'] } } } },
        save: 'used',
      },
      passwordLogin('u', '{{u_email}}', undefined, { save: 'second' }),
      {
        request: 'POST /auth/mfa/verify',
        body: {
          mfa_token: '{{second.body.mfa_token}}',
          recovery_code: '{{u_recovery.body.recovery_codes[0]}}',
        },
        expect: problem(401, 'invalid_mfa_code'),
      },
      {
        request: 'GET /auth/mfa',
        token: '{{used.body.token}}',
        expect: { body: { recovery_codes_remaining: 9 } },
      },
    ],
  },
  {
    name: 'step-up: a new access token with mfa_at now; the policy subject sees mfa_age_seconds',
    steps: [
      mfaUser('u'),
      { advanceClock: 30 },
      passwordLogin('u', '{{u_email}}', undefined, { save: 'first' }),
      {
        request: 'POST /auth/mfa/verify',
        body: { mfa_token: '{{first.body.mfa_token}}', code: { $totp: '{{u_secret}}' } },
        save: 'session',
      },
      { let: { sessionClaims: { $claims: '{{session.body.token}}' } } },
      { advanceClock: 600 },
      {
        request: 'GET /auth/permissions',
        token: '{{session.body.token}}',
        expect: { body: { subject: { attributes: { mfa_age_seconds: 600 } } } },
      },
      {
        request: 'POST /auth/mfa/step-up',
        token: '{{session.body.token}}',
        body: { code: '000000' },
        expect: problem(401, 'invalid_mfa_code'),
      },
      {
        request: 'POST /auth/mfa/step-up',
        token: '{{session.body.token}}',
        body: { code: { $totp: '{{u_secret}}' } },
        expect: {
          status: 200,
          body: {
            token_type: 'Bearer',
            amr: ['pwd', 'totp', 'mfa'],
            mfa_at: { $nowDate: true },
            token: { $jwt: { mfa_at: { $nowSeconds: 0 }, sid: '{{sessionClaims.sid}}' } },
          },
        },
        save: 'stepped',
      },
      { advanceClock: 42 },
      {
        request: 'GET /auth/permissions',
        token: '{{stepped.body.token}}',
        expect: { body: { subject: { attributes: { mfa_age_seconds: 42 } } } },
      },
      // A person without MFA cannot step up.
      passwordUser('plain'),
      passwordLogin('plain', '{{plain_email}}', undefined, { save: 'login' }),
      {
        request: 'POST /auth/mfa/step-up',
        token: '{{login.body.token}}',
        body: { code: '123456' },
        expect: problem(409, 'mfa_not_enabled'),
      },
    ],
  },
  {
    name: 'MFA management: enrolling again is 409 conflict; new recovery codes retire the old; disabling needs a code and the password',
    steps: [
      mfaUser('u'),
      { advanceClock: 30 },
      passwordLogin('u', '{{u_email}}', problem(401, 'mfa_required'), { save: 'first' }),
      {
        request: 'POST /auth/mfa/verify',
        body: { mfa_token: '{{first.body.mfa_token}}', code: { $totp: '{{u_secret}}' } },
        expect: { status: 200 },
        save: 'session',
      },
      {
        request: 'POST /auth/mfa/totp/enroll',
        token: '{{session.body.token}}',
        expect: problem(409, 'conflict'),
      },
      { advanceClock: 30 },
      {
        request: 'POST /auth/mfa/recovery-codes/regenerate',
        token: '{{session.body.token}}',
        body: { code: { $totp: '{{u_secret}}' } },
        expect: { status: 200, body: { recovery_codes: { $length: 10 } } },
        save: 'regenerated',
      },
      passwordLogin('u', '{{u_email}}', problem(401, 'mfa_required'), { save: 'second' }),
      {
        request: 'POST /auth/mfa/verify',
        body: {
          mfa_token: '{{second.body.mfa_token}}',
          recovery_code: '{{u_recovery.body.recovery_codes[0]}}',
        },
        expect: problem(401, 'invalid_mfa_code'),
      },
      passwordLogin('u', '{{u_email}}', problem(401, 'mfa_required'), { save: 'third' }),
      {
        request: 'POST /auth/mfa/verify',
        body: {
          mfa_token: '{{third.body.mfa_token}}',
          recovery_code: '{{regenerated.body.recovery_codes[0]}}',
        },
        expect: { status: 200 },
      },
      { advanceClock: 30 },
      {
        request: 'POST /auth/mfa/totp/disable',
        token: '{{session.body.token}}',
        body: { code: { $totp: '{{u_secret}}' }, password: 'not the password' },
        expect: problem(401, 'invalid_credentials'),
      },
      { advanceClock: 30 },
      {
        request: 'POST /auth/mfa/totp/disable',
        token: '{{session.body.token}}',
        body: { code: { $totp: '{{u_secret}}' }, password: PASSWORD },
        expect: { status: 200, body: { enabled: false } },
      },
      passwordLogin('u', '{{u_email}}', { status: 200 }),
    ],
  },
  {
    name: 'the first proof of the email drops the password and the TOTP set before it; TOTP set after it guards email codes too',
    steps: [
      mfaUser('u'),
      {
        request: 'POST /auth/otp/request',
        body: { email: '{{u_email}}', tenant_code: '{{u.code}}' },
        save: 'otp',
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'email_otp',
          email: '{{u_email}}',
          otp: '{{otp.body.code}}',
          tenant_code: '{{u.code}}',
        },
        expect: { status: 200, body: { person: { email_verified: true } } },
        save: 'proved',
      },
      { request: 'GET /auth/mfa', token: '{{proved.body.token}}', expect: { body: { enabled: false } } },
      passwordLogin('u', '{{u_email}}', problem(401, 'invalid_credentials')),

      {
        request: 'POST /auth/mfa/totp/enroll',
        token: '{{proved.body.token}}',
        expect: { status: 200 },
        save: 'again',
      },
      {
        request: 'POST /auth/mfa/totp/confirm',
        token: '{{proved.body.token}}',
        body: { code: { $totp: '{{again.body.secret}}' } },
        expect: { status: 200 },
      },
      {
        request: 'POST /auth/otp/request',
        body: { email: '{{u_email}}', tenant_code: '{{u.code}}' },
        save: 'otp2',
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'email_otp',
          email: '{{u_email}}',
          otp: '{{otp2.body.code}}',
          tenant_code: '{{u.code}}',
        },
        expect: {
          ...problem(401, 'mfa_required'),
          body: { mfa_token: { $match: '^emt_' }, mfa_methods: ['totp', 'recovery_code'] },
        },
        save: 'gated',
      },
      { advanceClock: 30 },
      {
        request: 'POST /auth/mfa/verify',
        body: { mfa_token: '{{gated.body.mfa_token}}', code: { $totp: '{{again.body.secret}}' } },
        expect: { status: 200, body: { token: { $jwt: { amr: ['otp', 'totp', 'mfa'] } } } },
      },
    ],
  },
];
