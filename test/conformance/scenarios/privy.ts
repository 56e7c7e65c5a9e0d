// Privy: tokens signed with an app key made here, at sign-in and as a bearer.
import type { Data, Scenario } from '../scenario';
import { allow, privyLogin, privyTenant, problem, seedTenant, TOLERANCE } from './_steps';

const INVALID = problem(401, 'provider_token_invalid');
/** A Privy access token of the app saved as `app`. */
const token = (app: string, claims: Record<string, Data>, ttl?: number): Data => ({
  $privyToken: `{{${app}}}`,
  claims,
  ...(ttl ? { ttl } : {}),
});
const me = (bearer: Data, expect: object, headers?: Record<string, Data>, save?: string) => ({
  request: 'GET /auth/me' as const,
  token: bearer,
  expect,
  ...(headers ? { headers } : {}),
  ...(save ? { save } : {}),
});

export const scenarios: Scenario[] = [
  {
    name: 'privy: a token signed with the app key signs a DID up, then in again; wrong audience, key and expiry are refused',
    steps: [
      { privyApp: 'privy' },
      { let: { bareHex: { $hex: 12 } } },
      seedTenant('bare'),
      allow('bare', ['email_otp', 'privy']),
      privyLogin(
        'bare',
        token('privy', { sub: 'did:privy:{{bareHex}}' }),
        problem(403, 'provider_not_configured'),
      ),
      {
        request: 'PATCH /tenants/{{bare.id}}',
        apiKey: '{{bare.apiKey}}',
        body: {
          auth_settings: { privy: { app_id: '{{privy.appId}}', verification_key: { $publicKey: 'RS256' } } },
        },
        expect: problem(400, 'validation_failed'),
      },

      privyTenant('t', 'privy'),
      { let: { hex: { $hex: 12 } } },
      { let: { did: 'did:privy:{{hex}}' } },
      privyLogin(
        't',
        token('privy', { sub: '{{did}}' }),
        { status: 200, body: { person: { email: null } } },
        'first',
      ),
      {
        request: 'GET /auth/me',
        token: '{{first.body.token}}',
        expect: { body: { session: { amr: ['privy'] } } },
      },
      {
        request: 'GET /auth/identities',
        token: '{{first.body.token}}',
        expect: { body: { data: [{ provider: 'privy', subject: '{{did}}' }] } },
      },
      privyLogin('t', token('privy', { sub: '{{did}}' }), {
        body: { person: { id: '{{first.body.person.id}}' } },
      }),

      privyLogin('t', token('privy', { sub: '{{did}}', aud: 'another-app' }), INVALID),
      privyLogin('t', token('privy', { sub: '{{did}}', iss: 'privy.example' }), INVALID),
      { privyApp: 'stranger', appId: '{{privy.appId}}' },
      privyLogin('t', token('stranger', { sub: '{{did}}' }), INVALID),
      privyLogin('t', token('privy', { sub: 'not-a-did' }), INVALID),
      { let: { old: token('privy', { sub: '{{did}}' }, 60) } },
      { advanceClock: 60 + TOLERANCE + 1 },
      privyLogin('t', '{{old}}', problem(401, 'token_expired')),
      seedTenant('third'),
      privyLogin('third', token('privy', { sub: '{{did}}' }), problem(403, 'provider_not_allowed')),
    ],
  },
  {
    name: 'privy bearer: a Privy access token works on user routes (one session per Privy session), tenant by app id or X-Enforcer-Tenant',
    steps: [
      { privyApp: 'privy' },
      privyTenant('t', 'privy'),
      { let: { hex: { $hex: 12 } } },
      { let: { did: 'did:privy:{{hex}}' } },
      me(token('privy', { sub: '{{did}}', sid: 'early' }), problem(403, 'not_a_member')),
      privyLogin('t', token('privy', { sub: '{{did}}' }), { status: 200 }, 'signedUp'),
      { let: { bearer: token('privy', { sub: '{{did}}', sid: 'privy-session-1' }) } },
      me(
        '{{bearer}}',
        {
          status: 200,
          body: {
            account: { id: '{{signedUp.body.account.id}}' },
            tenant: { id: '{{t.id}}' },
            session: { amr: ['privy'] },
          },
        },
        undefined,
        'me',
      ),
      { advanceClock: 5 },
      me(token('privy', { sub: '{{did}}', sid: 'privy-session-1' }), {
        body: { session: { id: '{{me.body.session.id}}' } },
      }),
      me(token('privy', { sub: '{{did}}', sid: 'privy-session-2' }), {
        status: 200,
        body: { session: { id: { $not: '{{me.body.session.id}}' } } },
      }),
      { request: 'GET /auth/permissions', token: '{{bearer}}', expect: { status: 200 } },
      { request: 'GET /revocations', token: '{{bearer}}', expect: problem(403, 'credential_not_allowed') },

      // a logout ends that Privy session for every later token of it
      { request: 'POST /auth/logout', token: '{{bearer}}', body: {}, expect: { status: 204 } },
      me(token('privy', { sub: '{{did}}', sid: 'privy-session-1' }), problem(401, 'token_invalid')),
      // another key, expiry, an app nobody uses
      { privyApp: 'forged', appId: '{{privy.appId}}' },
      me(token('forged', { sub: '{{did}}', sid: 'x' }), INVALID),
      { let: { short: token('privy', { sub: '{{did}}', sid: 'short' }, 30) } },
      { advanceClock: 30 + TOLERANCE + 1 },
      me('{{short}}', problem(401, 'token_expired')),
      { privyApp: 'nobody' },
      me(token('nobody', { sub: '{{did}}' }), INVALID),

      // two tenants on one app: name the tenant
      { privyApp: 'shared' },
      privyTenant('one', 'shared'),
      privyTenant('two', 'shared'),
      privyLogin('two', token('shared', { sub: '{{did}}' }), { status: 200 }),
      { let: { sharedBearer: token('shared', { sub: '{{did}}', sid: 'shared-1' }) } },
      me('{{sharedBearer}}', problem(400, 'bad_request')),
      me(
        '{{sharedBearer}}',
        { status: 200, body: { tenant: { id: '{{two.id}}' } } },
        { 'x-enforcer-tenant': { $lower: '{{two.code}}' } },
      ),
      me('{{sharedBearer}}', problem(403, 'not_a_member'), { 'x-enforcer-tenant': '{{one.code}}' }),
      me('{{sharedBearer}}', INVALID, { 'x-enforcer-tenant': 'ZZZZ-ZZZZ-ZZZZ' }),
      me(token('privy', { sub: '{{did}}' }), INVALID, { 'x-enforcer-tenant': '{{two.code}}' }),
    ],
  },
];
