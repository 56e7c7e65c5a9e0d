// Accounts an admin deactivates: what their person can still do.
import type { Scenario } from '../scenario';
import { problem, sdkSignIn, seedTenant } from './_steps';

/** An email code sign-in of `{{who}}` at `tenant` over HTTP, saved as `save`. */
const otpLogin = (tenant: string, save: string, expect: object = { status: 200 }) => [
  {
    request: 'POST /auth/otp/request' as const,
    body: { email: '{{who}}', tenant_code: `{{${tenant}.code}}` },
    save: '_otp',
  },
  {
    request: 'POST /auth/login' as const,
    body: {
      provider: 'email_otp',
      email: '{{who}}',
      otp: '{{_otp.body.code}}',
      tenant_code: `{{${tenant}.code}}`,
    },
    expect,
    save,
  },
];

/** `POST /auth/tenant/join` of `club` with the session saved as `from`, saved as `save`. */
const joinClub = (from: string, save: string) => ({
  request: 'POST /auth/tenant/join' as const,
  token: `{{${from}.body.token}}`,
  body: { tenant_code: '{{club.code}}' },
  expect: { status: 200, body: { tenant: { id: '{{club.id}}' } } },
  save,
});

/** Tenants `home` and `club`, and `{{who}}` signed in to home (`homeLogin`) who joined club (`clubLogin`). */
const memberOfHomeAndClub = [
  seedTenant('home'),
  seedTenant('club'),
  { let: { who: { $email: 'member' } } },
  otpLogin('home', 'homeLogin'),
  joinClub('homeLogin', 'clubLogin'),
];

export const scenarios: Scenario[] = [
  {
    name: 'deactivated: its sessions end, sign-in and switching into the tenant are 403 account_inactive; reactivated, switching works again',
    steps: [
      ...memberOfHomeAndClub,
      {
        request: 'PUT /accounts/{{clubLogin.body.account.id}}/active',
        apiKey: '{{club.apiKey}}',
        body: { active: false },
        expect: { status: 200, body: { id: '{{clubLogin.body.account.id}}', active: false } },
      },
      { request: 'GET /auth/me', token: '{{clubLogin.body.token}}', expect: problem(401, 'token_invalid') },
      {
        request: 'POST /auth/refresh',
        body: { refresh_token: '{{clubLogin.body.refresh_token}}' },
        expect: problem(401, 'refresh_token_invalid'),
      },
      // the person's other tenant is untouched
      { request: 'GET /auth/me', token: '{{homeLogin.body.token}}', expect: { status: 200 } },
      {
        request: 'POST /auth/tenant/switch',
        token: '{{homeLogin.body.token}}',
        body: { tenant_id: '{{club.id}}' },
        expect: problem(403, 'account_inactive'),
      },
      otpLogin('club', 'refused', problem(403, 'account_inactive')),
      {
        request: 'PUT /accounts/{{clubLogin.body.account.id}}/active',
        apiKey: '{{club.apiKey}}',
        body: { active: true },
        expect: { status: 200, body: { active: true } },
      },
      {
        request: 'POST /auth/tenant/switch',
        token: '{{homeLogin.body.token}}',
        body: { tenant_id: '{{club.id}}' },
        expect: {
          status: 200,
          body: { tenant: { id: '{{club.id}}' }, account: { id: '{{clubLogin.body.account.id}}' } },
        },
      },
    ],
  },
  {
    name: 'the last active owner cannot be deactivated (409 last_admin)',
    steps: [
      seedTenant('t'),
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: { status: 200 }, save: 'owner' },
      {
        request: 'PUT /accounts/{{owner.body.account.id}}/active',
        apiKey: '{{t.apiKey}}',
        body: { active: false },
        expect: problem(409, 'last_admin'),
      },
      {
        request: 'GET /auth/me',
        token: '{{t.ownerToken}}',
        expect: { status: 200, body: { account: { active: true } } },
      },
    ],
  },
  // Account lifecycle (#14): lock, ban, soft delete, MFA reset.
  {
    name: 'locked: sessions end, sign-in and switching in are 403 account_locked; the feed-visible grant bumps; unlock lifts it',
    steps: [
      ...memberOfHomeAndClub,
      {
        request: 'POST /accounts/{{clubLogin.body.account.id}}/lock',
        apiKey: '{{club.apiKey}}',
        body: { reason: 'suspicious activity' },
        expect: {
          status: 200,
          body: {
            status: 'locked',
            active: false,
            status_reason: 'suspicious activity',
            status_changed_by: { type: 'api_key' },
            locked_until: null,
          },
        },
      },
      { request: 'GET /auth/me', token: '{{clubLogin.body.token}}', expect: problem(401, 'token_invalid') },
      {
        request: 'POST /auth/tenant/switch',
        token: '{{homeLogin.body.token}}',
        body: { tenant_id: '{{club.id}}' },
        expect: problem(403, 'account_locked'),
      },
      otpLogin('club', 'refused', problem(403, 'account_locked')),
      {
        request: 'GET /accounts?status=locked',
        apiKey: '{{club.apiKey}}',
        expect: { status: 200, body: { data: [{ id: '{{clubLogin.body.account.id}}' }] } },
      },
      {
        request: 'POST /accounts/{{clubLogin.body.account.id}}/unlock',
        apiKey: '{{club.apiKey}}',
        expect: { status: 200, body: { status_lock_lifted: true } },
      },
      otpLogin('club', 'again'),
    ],
  },
  {
    name: 'banned: 403 account_banned until unbanned; nobody bans themselves (403 self_target)',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'member' } } },
      otpLogin('t', 'memberLogin'),
      // Through the SDK's typed client, signed in as the tenant's owner.
      sdkSignIn('owner', 't', { email: '{{t_owner}}' }),
      {
        call: 'owner.api.accounts.ban',
        args: [{ params: { id: '{{memberLogin.body.account.id}}' }, body: { reason: 'fraud' } }],
        expect: {
          status: 200,
          body: { status: 'banned', status_reason: 'fraud', status_changed_by: { type: 'account' } },
        },
      },
      {
        request: 'POST /auth/refresh',
        body: { refresh_token: '{{memberLogin.body.refresh_token}}' },
        expect: problem(401, 'refresh_token_invalid'),
      },
      otpLogin('t', 'refused', problem(403, 'account_banned')),
      {
        request: 'PUT /accounts/{{memberLogin.body.account.id}}/active',
        apiKey: '{{t.apiKey}}',
        body: { active: true },
        expect: problem(409, 'status_conflict'),
      },
      {
        call: 'owner.api.accounts.unban',
        args: [{ params: { id: '{{memberLogin.body.account.id}}' } }],
        expect: { status: 200, body: { status: 'active', active: true } },
      },
      otpLogin('t', 'again'),
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: { status: 200 }, save: 'owner' },
      {
        request: 'POST /accounts/{{owner.body.account.id}}/ban',
        token: '{{t.ownerToken}}',
        body: { reason: 'me' },
        expect: problem(403, 'self_target'),
      },
    ],
  },
  {
    name: 'deleted: hidden from the list unless include=deleted, sign-in 403 account_deleted, restored; the last owner stays (409 last_admin)',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'member' } } },
      otpLogin('t', 'memberLogin'),
      {
        request: 'DELETE /accounts/{{memberLogin.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { status: 'deleted', role: 'member' } },
      },
      otpLogin('t', 'refused', problem(403, 'account_deleted')),
      {
        request: 'GET /accounts',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $none: { id: '{{memberLogin.body.account.id}}' } } } },
      },
      {
        request: 'GET /accounts?include=deleted',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $some: { id: '{{memberLogin.body.account.id}}' } } } },
      },
      {
        request: 'POST /accounts/{{memberLogin.body.account.id}}/restore',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { status: 'active' } },
      },
      otpLogin('t', 'again'),
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: { status: 200 }, save: 'owner' },
      {
        request: 'DELETE /accounts/{{owner.body.account.id}}',
        apiKey: '{{t.apiKey}}',
        expect: problem(409, 'last_admin'),
      },
    ],
  },
  {
    name: "MFA reset: ends the account's sessions; a factor the person uses in another tenant is 409 mfa_shared",
    steps: [
      seedTenant('home'),
      seedTenant('club'),
      { let: { who: { $email: 'member' } } },
      otpLogin('home', 'homeLogin'),
      {
        request: 'POST /accounts/{{homeLogin.body.account.id}}/mfa/reset',
        apiKey: '{{home.apiKey}}',
        body: { reason: 'lost their phone' },
        expect: { status: 200, body: { $exactly: { totp_removed: false, sessions_ended: 1 } } },
      },
      { request: 'GET /auth/me', token: '{{homeLogin.body.token}}', expect: problem(401, 'token_invalid') },
      otpLogin('home', 'again'),
      joinClub('again', 'clubLogin'),
      {
        request: 'POST /accounts/{{homeLogin.body.account.id}}/mfa/reset',
        apiKey: '{{home.apiKey}}',
        body: { reason: 'lost their phone' },
        expect: problem(409, 'mfa_shared'),
      },
    ],
  },
];
