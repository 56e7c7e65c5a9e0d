// Tenants: switch, join, invites, creation, settings, resolve.
import type { Scenario } from '../scenario';
import { accessToken, allow, PASSWORD, problem, SIX_DIGITS, sdkSignIn, seedTenant } from './_steps';

const DAY_MS = 86_400_000;

export const scenarios: Scenario[] = [
  {
    name: 'switches and joins tenants; listeners fire and can() follows',
    steps: [
      seedTenant('home'),
      seedTenant('club'),
      seedTenant('closed'),
      {
        request: 'PUT /tenants/{{closed.id}}/auth-provider',
        apiKey: '{{closed.apiKey}}',
        body: { providers: ['email_otp'], allow_signup: false },
      },
      sdkSignIn('a', 'home', { permissions: true }),
      { permissionsReady: 'a' },
      { watch: 'a', field: 'tenant.id', save: 'tenantsSeen' },
      { advanceClock: 1 }, // memberships are listed oldest first
      {
        call: 'a.tenants.join',
        args: ['{{club.code}}'],
        expect: { tenant: { id: '{{club.id}}' }, account: { role: 'member' } },
      },
      { check: '{{tenantsSeen}}', is: { $some: '{{club.id}}' } },
      { call: 'a.tenants.join', args: ['{{club.code}}'], rejects: { code: 'already_member', status: 409 } },
      {
        call: 'a.tenants.join',
        args: ['{{closed.code}}'],
        rejects: { code: 'signup_disabled', status: 403 },
      },
      {
        call: 'a.tenants.list',
        expect: [
          { tenant: { id: '{{home.id}}' }, current: false },
          { tenant: { id: '{{club.id}}' }, current: true },
        ],
      },
      { call: 'a.tenants.switch', args: ['{{home.id}}'], expect: { tenant: { id: '{{home.id}}' } } },
      { check: '{{tenantsSeen}}', is: { $last: '{{home.id}}' } },
      { permissionsReady: 'a' },
      {
        call: 'a.getSnapshot',
        expect: { permissions: { status: 'ready', subject: { tenant_id: '{{home.id}}' } } },
      },
      { call: 'a.can', args: ['tenants.read'], expect: true },
      { call: 'a.tenants.switch', args: ['{{closed.id}}'], rejects: { code: 'not_a_member', status: 403 } },
    ],
  },
  {
    name: 'invites: accept switches into the tenant; a used code is invite_invalid',
    steps: [
      seedTenant('home'),
      seedTenant('other'),
      sdkSignIn('a', 'home'),
      {
        request: 'POST /tenants/{{other.id}}/invites',
        apiKey: '{{other.apiKey}}',
        body: { email: '{{a_email}}', role: 'admin' },
        expect: { status: 201 },
        save: 'invite',
      },
      {
        call: 'a.acceptInvite',
        args: ['{{invite.body.code}}'],
        expect: { tenant: { id: '{{other.id}}' }, account: { role: 'admin' }, roles: ['admin'] },
      },
      {
        call: 'a.acceptInvite',
        args: ['{{invite.body.code}}'],
        rejects: { code: 'invite_invalid', status: 400 },
      },
    ],
  },
  {
    name: "tenants: a new one must accept the session's method; settings are checked; resolve is public; invites are inv_ codes, one pending per email",
    steps: [
      seedTenant('home'),
      {
        request: 'POST /tenants',
        token: '{{home.ownerToken}}',
        body: { name: { $unique: 'Passkeys only' }, auth_providers: ['passkey'] },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'POST /tenants',
        token: '{{home.ownerToken}}',
        body: { name: { $unique: 'Second' } },
        expect: {
          status: 201,
          body: {
            tenant: { auth_providers: ['email_otp'], allow_signup: false },
            account: { role: 'owner', tenant_id: '{{made.body.tenant.id}}' },
          },
        },
        save: 'made',
      },
      {
        request: 'GET /tenants/{{made.body.tenant.id}}',
        apiKey: '{{home.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'PATCH /tenants/{{home.id}}',
        apiKey: '{{home.apiKey}}',
        body: {
          auth_settings: { privy: { app_id: 'conformance-app', verification_key: { $publicKey: 'ES384' } } },
        },
        expect: problem(400, 'validation_failed'),
      },
      { let: { lower: { $lower: '{{home.code}}' } } },
      {
        request: 'GET /directory/tenants/resolve?code={{lower}}',
        expect: {
          status: 200,
          body: { $keys: ['allow_signup', 'auth_providers', 'code', 'id', 'logo_url', 'name', 'theme'] },
        },
      },
      { let: { who: { $email: 'invitee' } } },
      {
        request: 'POST /tenants/{{home.id}}/invites',
        apiKey: '{{home.apiKey}}',
        body: { email: '{{who}}' },
        expect: {
          status: 201,
          body: {
            email: '{{who}}',
            role: 'member',
            code: { $match: '^inv_[A-Za-z0-9_-]{43}$' },
            expires_at: { $msFromNow: { min: 7 * DAY_MS - 4999, max: 7 * DAY_MS } },
          },
        },
      },
      {
        each: ['{{who}}', '{{home.ownerEmail}}'],
        as: 'invitee',
        steps: [
          {
            request: 'POST /tenants/{{home.id}}/invites',
            apiKey: '{{home.apiKey}}',
            body: { email: '{{invitee}}' },
            expect: problem(409, 'conflict'),
          },
        ],
      },
    ],
  },
  {
    name: 'invites over HTTP: only the invited email accepts; unknown and used codes are invite_invalid; a member is not invited again',
    steps: [
      seedTenant('home'),
      seedTenant('other'),
      sdkSignIn('invited', 'home'),
      sdkSignIn('someone', 'home'),
      accessToken('invited', 'invitedToken'),
      accessToken('someone', 'someoneToken'),
      {
        request: 'POST /tenants/{{other.id}}/invites',
        apiKey: '{{other.apiKey}}',
        body: { email: '{{invited_email}}' },
        expect: { status: 201, body: { role: 'member' } },
        save: 'invite',
      },
      {
        request: 'POST /auth/invites/accept',
        token: '{{someoneToken}}',
        body: { code: '{{invite.body.code}}' },
        expect: problem(400, 'invite_invalid'),
      },
      {
        request: 'POST /auth/invites/accept',
        token: '{{invitedToken}}',
        body: { code: 'inv_unknown' },
        expect: problem(400, 'invite_invalid'),
      },
      {
        request: 'POST /auth/invites/accept',
        token: '{{invitedToken}}',
        body: { code: '{{invite.body.code}}' },
        expect: { status: 200, body: { tenant: { id: '{{other.id}}' }, account: { role: 'member' } } },
      },
      // a member now: neither a second accept nor a new invite
      {
        request: 'POST /auth/invites/accept',
        token: '{{invitedToken}}',
        body: { code: '{{invite.body.code}}' },
        expect: problem(400, 'invite_invalid'),
      },
      {
        request: 'POST /tenants/{{other.id}}/invites',
        apiKey: '{{other.apiKey}}',
        body: { email: '{{invited_email}}' },
        expect: problem(409, 'conflict'),
      },
    ],
  },
  {
    name: 'switch and join keep to the methods a tenant accepts: a password session cannot enter an email-code-only tenant',
    steps: [
      seedTenant('pwd'),
      allow('pwd', ['email_otp', 'password']),
      seedTenant('codesOnly'),
      { let: { who: { $email: 'user' } } },
      {
        request: 'POST /auth/register',
        body: { provider: 'password', email: '{{who}}', password: PASSWORD, tenant_code: '{{pwd.code}}' },
        expect: { status: 202 },
      },
      {
        request: 'POST /auth/login',
        body: { provider: 'password', email: '{{who}}', password: PASSWORD, tenant_code: '{{pwd.code}}' },
        expect: { status: 200 },
        save: 'session',
      },
      {
        request: 'POST /auth/tenant/join',
        token: '{{session.body.token}}',
        body: { tenant_code: '{{codesOnly.code}}' },
        expect: problem(403, 'provider_not_allowed'),
      },
      {
        request: 'POST /auth/tenant/join',
        token: '{{session.body.token}}',
        body: { tenant_code: 'ZZZZ-ZZZZ-ZZZZ' },
        expect: problem(404, 'not_found'),
      },
      {
        request: 'POST /auth/tenant/switch',
        token: '{{session.body.token}}',
        body: { tenant_id: '{{codesOnly.id}}' },
        expect: problem(403, 'not_a_member'),
      },
    ],
  },
  {
    name: "self-serve: the email is proven by a code (a wrong one refused) or the signed-in person's own session; a password set before the proof is dropped",
    steps: [
      seedTenant('pwd'),
      allow('pwd', ['email_otp', 'password']),
      sdkSignIn('a', 'pwd'),
      accessToken('a', 'aToken'),
      { let: { who: { $email: 'owner' } } },
      {
        request: 'POST /tenants/self-serve',
        body: { name: { $unique: 'Nobody' }, admin_email: '{{who}}' },
        expect: problem(401, 'unauthenticated'),
      },
      {
        request: 'POST /tenants/self-serve',
        token: '{{aToken}}',
        body: { name: { $unique: 'Not mine' }, admin_email: '{{who}}' },
        expect: problem(401, 'unauthenticated'),
      },
      {
        request: 'POST /tenants/self-serve',
        token: '{{aToken}}',
        body: { name: { $unique: 'Mine' }, admin_email: '{{a_email}}' },
        expect: { status: 201, body: { account: { role: 'owner' }, person: { email: '{{a_email}}' } } },
      },
      // Registered with a password by whoever knew the address, then proven by its owner.
      {
        request: 'POST /auth/register',
        body: { provider: 'password', email: '{{who}}', password: PASSWORD, tenant_code: '{{pwd.code}}' },
        expect: { status: 202 },
      },
      {
        request: 'POST /auth/otp/request',
        body: { email: '{{who}}' },
        expect: { status: 200, body: { code: SIX_DIGITS } },
        save: 'code',
      },
      {
        request: 'POST /tenants/self-serve',
        body: {
          name: { $unique: 'Wrong' },
          admin_email: '{{who}}',
          otp: { $otherCode: '{{code.body.code}}' },
        },
        expect: problem(401, 'invalid_otp'),
      },
      {
        request: 'POST /tenants/self-serve',
        body: { name: { $unique: 'Proven' }, admin_email: '{{who}}', otp: '{{code.body.code}}' },
        expect: {
          status: 201,
          body: {
            account: { role: 'owner' },
            person: { email: '{{who}}', email_verified: true },
            tenant: { auth_providers: ['email_otp'], allow_signup: true },
          },
        },
      },
      {
        request: 'POST /auth/login',
        body: { provider: 'password', email: '{{who}}', password: PASSWORD, tenant_code: '{{pwd.code}}' },
        expect: problem(401, 'invalid_credentials'),
      },
    ],
  },
];
