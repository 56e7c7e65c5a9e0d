// Passkeys (a software authenticator made here answers the WebAuthn ceremonies).
import type { Data, ExpectAnswer, Scenario, Step } from '../scenario';
import { accessToken, allow, problem, sdkSignIn, seedTenant } from './_steps';

const PASSKEY_ORIGIN = 'https://app.example.com';
const PASSKEY = { rp_id: 'example.com', rp_name: 'Acme Pay', origins: [PASSKEY_ORIGIN] };

const finish = (challengeId: string, credential: Data, expect: ExpectAnswer, save?: string): Step => ({
  request: 'POST /auth/passkey/register/finish',
  token: '{{token}}',
  body: { challenge_id: challengeId, credential },
  expect,
  ...(save ? { save } : {}),
});
const loginBegin = (save: string, body: Record<string, Data> = {}, expect?: ExpectAnswer): Step => ({
  request: 'POST /auth/passkey/login/begin',
  body: { tenant_code: '{{t.code}}', ...body },
  ...(expect ? { expect } : {}),
  save,
});
/** Finishes the login begun as `begun` with an assertion of the authenticator (with `overrides`). */
const loginFinish = (begun: string, overrides: Data, expect: ExpectAnswer, save?: string): Step => ({
  request: 'POST /auth/passkey/login/finish',
  body: {
    tenant_code: '{{t.code}}',
    challenge_id: `{{${begun}.body.challenge_id}}`,
    credential: { $passkeyGet: '{{authenticator}}', options: `{{${begun}.body.options}}`, overrides },
  },
  expect,
  ...(save ? { save } : {}),
});

export const scenarios: Scenario[] = [
  {
    name: 'passkeys: register, list, sign in (discoverable, by email, via /auth/login); single-use challenges, origin, rp id, expiry and counter checked; delete',
    steps: [
      seedTenant('bare'),
      sdkSignIn('bareUser', 'bare'),
      accessToken('bareUser', 'bareToken'),
      {
        request: 'POST /auth/passkey/register/begin',
        token: '{{bareToken}}',
        body: {},
        expect: problem(403, 'provider_not_allowed'),
      },
      allow('bare', ['email_otp', 'passkey']),
      {
        request: 'POST /auth/passkey/login/begin',
        body: { tenant_code: '{{bare.code}}' },
        expect: problem(403, 'provider_not_configured'),
      },

      seedTenant('t'),
      allow('t', ['email_otp', 'passkey']),
      {
        request: 'PATCH /tenants/{{t.id}}',
        apiKey: '{{t.apiKey}}',
        body: { auth_settings: { passkey: PASSKEY } },
        expect: { status: 200 },
      },
      sdkSignIn('a', 't'),
      accessToken('a', 'token'),
      { let: { person: '{{a_signedIn.person.id}}' } },

      {
        request: 'POST /auth/passkey/register/begin',
        token: '{{token}}',
        body: { name: 'Laptop' },
        expect: {
          status: 200,
          body: {
            options: {
              rp: { $exactly: { id: 'example.com', name: 'Acme Pay' } },
              challenge: { $base64urlBytes: 32 },
              user: { id: { $base64urlText: '{{person}}' } },
              authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
            },
            expires_at: { $msFromNow: 300_000 },
          },
        },
        save: 'begun',
      },
      { passkeyAuthenticator: PASSKEY_ORIGIN, save: 'authenticator' },
      { let: { made: { $passkeyCreate: '{{authenticator}}', options: '{{begun.body.options}}' } } },
      finish(
        '{{begun.body.challenge_id}}',
        '{{made.response}}',
        {
          status: 201,
          body: {
            credential_id: '{{made.response.id}}',
            name: 'Laptop',
            rp_id: 'example.com',
            device_type: 'singleDevice',
            backed_up: false,
            last_used_at: null,
          },
        },
        'registered',
      ),
      finish('{{begun.body.challenge_id}}', '{{made.response}}', problem(401, 'challenge_invalid')),
      // a wrong origin is refused, and the challenge is spent anyway
      {
        request: 'POST /auth/passkey/register/begin',
        token: '{{token}}',
        body: {},
        expect: {
          body: { options: { excludeCredentials: { $pluck: 'id', is: ['{{made.response.id}}'] } } },
        },
        save: 'again',
      },
      { passkeyAuthenticator: 'https://evil.example.net', save: 'elsewhere' },
      { let: { evil: { $passkeyCreate: '{{elsewhere}}', options: '{{again.body.options}}' } } },
      finish('{{again.body.challenge_id}}', '{{evil.response}}', problem(401, 'invalid_credentials')),
      { let: { retry: { $passkeyCreate: '{{authenticator}}', options: '{{again.body.options}}' } } },
      finish('{{again.body.challenge_id}}', '{{retry.response}}', problem(401, 'challenge_invalid')),
      {
        request: 'GET /auth/passkey/credentials',
        token: '{{token}}',
        expect: { body: { data: { $pluck: 'id', is: ['{{registered.body.id}}'] } } },
      },
      {
        request: 'GET /auth/identities',
        token: '{{token}}',
        expect: { body: { data: { $pluck: 'provider', is: ['email_otp', 'passkey'] } } },
      },

      loginBegin(
        'discoverable',
        {},
        {
          status: 200,
          body: { options: { rpId: 'example.com', allowCredentials: { $emptyOrAbsent: true } } },
        },
      ),
      { let: { assertion: { $passkeyGet: '{{authenticator}}', options: '{{discoverable.body.options}}' } } },
      {
        request: 'POST /auth/passkey/login/finish',
        body: {
          tenant_code: '{{t.code}}',
          challenge_id: '{{discoverable.body.challenge_id}}',
          credential: '{{assertion}}',
        },
        expect: { status: 200, body: { person: { id: '{{person}}' }, token: { $jwt: { amr: ['hwk'] } } } },
      },
      {
        request: 'POST /auth/passkey/login/finish',
        body: {
          tenant_code: '{{t.code}}',
          challenge_id: '{{discoverable.body.challenge_id}}',
          credential: '{{assertion}}',
        },
        expect: problem(401, 'challenge_invalid'),
      },

      // by email: the person's passkeys; an unknown email gets one stable stand-in
      loginBegin(
        'byEmail',
        { email: '{{a_email}}' },
        { body: { options: { allowCredentials: { $pluck: 'id', is: ['{{made.response.id}}'] } } } },
      ),
      {
        request: 'POST /auth/login',
        body: {
          provider: 'passkey',
          tenant_code: '{{t.code}}',
          challenge_id: '{{byEmail.body.challenge_id}}',
          credential: { $passkeyGet: '{{authenticator}}', options: '{{byEmail.body.options}}' },
        },
        expect: { status: 200 },
      },
      { let: { nobody: { $email: 'nobody' } } },
      loginBegin(
        'decoy',
        { email: '{{nobody}}' },
        { body: { options: { allowCredentials: { $length: 1 } } } },
      ),
      loginBegin(
        'decoyAgain',
        { email: '{{nobody}}' },
        { body: { options: { allowCredentials: { $exactly: '{{decoy.body.options.allowCredentials}}' } } } },
      ),

      // wrong origin, wrong rp id, no user verification, expired challenge, counter going back
      {
        each: [
          { origin: 'https://evil.example.net' },
          { rpId: 'evil.example.net' },
          { noUserVerification: true },
        ],
        as: 'overrides',
        steps: [
          loginBegin('challenge'),
          loginFinish('challenge', '{{overrides}}', problem(401, 'invalid_credentials')),
        ],
      },
      loginBegin('slow'),
      { advanceClock: 301 },
      loginFinish('slow', {}, problem(401, 'challenge_invalid')),
      loginBegin('cloned'),
      loginFinish('cloned', { counter: 1 }, problem(401, 'invalid_credentials')),
      loginBegin('fresh'),
      loginFinish('fresh', { counter: 100 }, { status: 200 }, 'later'),
      {
        request: 'GET /auth/passkey/credentials',
        token: '{{later.body.token}}',
        expect: { body: { data: { 0: { last_used_at: { $not: null } } } } },
      },

      // delete: another person's is a 404; then it no longer signs in
      sdkSignIn('stranger', 't'),
      accessToken('stranger', 'strangerToken'),
      {
        request: 'DELETE /auth/passkey/credentials/{{registered.body.id}}',
        token: '{{strangerToken}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'DELETE /auth/passkey/credentials/{{registered.body.id}}',
        token: '{{later.body.token}}',
        expect: { status: 204 },
      },
      {
        request: 'GET /auth/passkey/credentials',
        token: '{{later.body.token}}',
        expect: { body: { data: [] } },
      },
      loginBegin('gone'),
      loginFinish('gone', { credential: '{{made.credential}}' }, problem(401, 'invalid_credentials')),
    ],
  },
  {
    name: 'passkeys: with counter_regression disable, a counter going back also removes the credential',
    steps: [
      seedTenant('t'),
      allow('t', ['email_otp', 'passkey']),
      {
        request: 'PATCH /tenants/{{t.id}}',
        apiKey: '{{t.apiKey}}',
        body: { auth_settings: { passkey: { ...PASSKEY, counter_regression: 'disable' } } },
        expect: { status: 200, body: { auth_settings: { passkey: { counter_regression: 'disable' } } } },
      },
      sdkSignIn('a', 't'),
      accessToken('a', 'token'),
      { request: 'POST /auth/passkey/register/begin', token: '{{token}}', body: {}, save: 'begun' },
      { passkeyAuthenticator: PASSKEY_ORIGIN, save: 'authenticator' },
      { let: { made: { $passkeyCreate: '{{authenticator}}', options: '{{begun.body.options}}' } } },
      finish('{{begun.body.challenge_id}}', '{{made.response}}', { status: 201 }),
      loginBegin('first'),
      loginFinish('first', { counter: 5 }, { status: 200 }),
      loginBegin('cloned'),
      loginFinish('cloned', { counter: 5 }, problem(401, 'invalid_credentials')),
      { request: 'GET /auth/passkey/credentials', token: '{{token}}', expect: { body: { data: [] } } },
      loginBegin('genuine'),
      loginFinish('genuine', { counter: 9 }, problem(401, 'invalid_credentials')),
    ],
  },
];
