// Refresh token rotation at the edges of the grace window, and logout over HTTP.
import type { Scenario } from '../scenario';
import { problem, seedTenant } from './_steps';

/** The server's default REFRESH_TOKEN_GRACE (the mock's is the same). */
const GRACE = 10;

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
const refresh = (token: string, expect: object, save?: string) => ({
  request: 'POST /auth/refresh' as const,
  body: { refresh_token: token },
  expect,
  ...(save ? { save } : {}),
});

export const scenarios: Scenario[] = [
  {
    name: 'refresh: a replay just inside the grace window gets the same successor; just outside it is reuse and ends the family',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'user' } } },
      login('first'),
      refresh('{{first.body.refresh_token}}', { status: 200 }, 'second'),
      { advanceClock: GRACE - 1 },
      refresh('{{first.body.refresh_token}}', {
        status: 200,
        body: { refresh_token: '{{second.body.refresh_token}}' },
      }),
      { advanceClock: 2 },
      refresh('{{first.body.refresh_token}}', problem(401, 'refresh_token_reused')),
      refresh('{{second.body.refresh_token}}', problem(401, 'refresh_token_invalid')),
    ],
  },
  {
    name: 'refresh: a spent token whose successor was used is reuse even inside the grace window',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'user' } } },
      login('first'),
      refresh('{{first.body.refresh_token}}', { status: 200 }, 'second'),
      refresh('{{second.body.refresh_token}}', { status: 200 }, 'third'),
      { advanceClock: 1 },
      refresh('{{first.body.refresh_token}}', problem(401, 'refresh_token_reused')),
      refresh('{{third.body.refresh_token}}', problem(401, 'refresh_token_invalid')),
      { request: 'GET /auth/me', token: '{{third.body.token}}', expect: problem(401, 'token_invalid') },
    ],
  },
  {
    name: 'logout over HTTP: a refresh token alone ends its session; all_sessions ends every session of the person, in every tenant',
    steps: [
      seedTenant('t'),
      seedTenant('other'),
      { let: { who: { $email: 'user' } } },
      login('a'),
      login('b'),
      login('c'),
      {
        request: 'POST /auth/logout',
        body: { refresh_token: '{{a.body.refresh_token}}' },
        expect: { status: 204 },
      },
      { request: 'GET /auth/me', token: '{{a.body.token}}', expect: problem(401, 'token_invalid') },
      refresh('{{a.body.refresh_token}}', problem(401, 'refresh_token_invalid')),
      { request: 'GET /auth/me', token: '{{b.body.token}}', expect: { status: 200 } },
      // the same person in another tenant: ended too
      {
        request: 'POST /auth/tenant/join',
        token: '{{b.body.token}}',
        body: { tenant_code: '{{other.code}}' },
        expect: { status: 200 },
        save: 'elsewhere',
      },
      {
        request: 'POST /auth/logout',
        token: '{{b.body.token}}',
        body: { all_sessions: true },
        expect: { status: 204 },
      },
      { request: 'GET /auth/me', token: '{{b.body.token}}', expect: problem(401, 'token_invalid') },
      { request: 'GET /auth/me', token: '{{c.body.token}}', expect: problem(401, 'token_invalid') },
      refresh('{{c.body.refresh_token}}', problem(401, 'refresh_token_invalid')),
      { request: 'GET /auth/me', token: '{{elsewhere.body.token}}', expect: problem(401, 'token_invalid') },
      // every session needs a user token to say whose
      { request: 'POST /auth/logout', body: { all_sessions: true }, expect: problem(401, 'unauthenticated') },
      // a logout of an unknown refresh token says nothing
      { request: 'POST /auth/logout', body: { refresh_token: 'ert_unknown' }, expect: { status: 204 } },
    ],
  },
];
