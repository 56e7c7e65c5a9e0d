// Accounts an admin deactivates: what their person can still do.
import type { Scenario } from '../scenario';
import { problem, seedTenant } from './_steps';

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

export const scenarios: Scenario[] = [
  {
    name: 'deactivated: its sessions end, sign-in and switching into the tenant are 403 account_inactive; reactivated, switching works again',
    steps: [
      seedTenant('home'),
      seedTenant('club'),
      { let: { who: { $email: 'member' } } },
      otpLogin('home', 'homeLogin'),
      {
        request: 'POST /auth/tenant/join',
        token: '{{homeLogin.body.token}}',
        body: { tenant_code: '{{club.code}}' },
        expect: { status: 200, body: { tenant: { id: '{{club.id}}' } } },
        save: 'clubLogin',
      },
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
];
