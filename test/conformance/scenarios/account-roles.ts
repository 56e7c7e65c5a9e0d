// Several roles per account (#14): POST /accounts/{id}/roles and DELETE /accounts/{id}/roles/{role}, with
// `roles` in the account and in new tokens, the last role and the tenant's limit; the same answers on the
// mock and the server.
import type { Scenario } from '../scenario';
import { problem, seedTenant } from './_steps';

/** An email code sign-in of `{{who}}` at `{{t}}` over HTTP, saved as `save`. */
const otpLogin = (save: string) => [
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

export const scenarios: Scenario[] = [
  {
    name: 'an account holds several roles: added and removed one at a time, carried by new tokens; the last one stays',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'member' } } },
      otpLogin('first'),
      { let: { id: '{{first.body.account.id}}' } },
      {
        request: 'POST /accounts/{{id}}/roles',
        token: '{{t.ownerToken}}',
        body: { role: 'admin' },
        expect: { status: 200, body: { id: '{{id}}', role: 'member', roles: ['admin', 'member'] } },
      },
      {
        request: 'POST /accounts/{{id}}/roles',
        token: '{{t.ownerToken}}',
        body: { role: 'admin' },
        expect: { status: 200, body: { roles: ['admin', 'member'] } },
      },
      {
        request: 'POST /accounts/{{id}}/roles',
        token: '{{t.ownerToken}}',
        body: { role: 'no_such_role' },
        expect: problem(400, 'validation_failed'),
      },
      // The member's own token cannot change roles.
      {
        request: 'POST /accounts/{{id}}/roles',
        token: '{{first.body.token}}',
        body: { role: 'owner' },
        expect: problem(403, 'forbidden'),
      },
      otpLogin('second'),
      { check: '{{second.body.token}}', is: { $jwt: { roles: ['member', 'admin'] } } },
      {
        request: 'GET /accounts?role=admin',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $some: { id: '{{id}}' } } } },
      },
      {
        request: 'DELETE /accounts/{{id}}/roles/member',
        token: '{{t.ownerToken}}',
        expect: { status: 200, body: { role: 'admin', roles: ['admin'] } },
      },
      {
        request: 'DELETE /accounts/{{id}}/roles/member',
        token: '{{t.ownerToken}}',
        expect: { status: 200, body: { roles: ['admin'] } },
      },
      {
        request: 'DELETE /accounts/{{id}}/roles/admin',
        token: '{{t.ownerToken}}',
        expect: problem(409, 'last_role'),
      },
      {
        request: 'PATCH /tenants/{{t.id}}',
        apiKey: '{{t.apiKey}}',
        body: { limits: { max_roles_per_account: 1 } },
        expect: { status: 200, body: { limits: { max_roles_per_account: 1 } } },
      },
      {
        request: 'POST /accounts/{{id}}/roles',
        token: '{{t.ownerToken}}',
        body: { role: 'member' },
        expect: problem(400, 'limit_exceeded'),
      },
      {
        request: 'PUT /accounts/{{id}}/role',
        token: '{{t.ownerToken}}',
        body: { role: 'member' },
        expect: { status: 200, body: { role: 'member', roles: ['member'] } },
      },
    ],
  },
  {
    name: 'POST /accounts provisions: no account until a sign-in with the email, then every role; idempotent on Idempotency-Key',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'provisioned' } } },
      {
        request: 'POST /accounts',
        apiKey: '{{t.apiKey}}',
        headers: { 'idempotency-key': 'conformance-1' },
        body: { email: '{{who}}', roles: ['member', 'admin'] },
        expect: {
          status: 201,
          body: {
            email: '{{who}}',
            phone: null,
            roles: ['admin', 'member'],
            groups: [],
            status: 'pending',
            mailed: false,
          },
        },
        save: 'provisioned',
      },
      {
        request: 'POST /accounts',
        apiKey: '{{t.apiKey}}',
        headers: { 'idempotency-key': 'conformance-1' },
        body: { email: '{{who}}', roles: ['member', 'admin'] },
        expect: { status: 201, body: { id: '{{provisioned.body.id}}' } },
      },
      {
        request: 'POST /accounts',
        apiKey: '{{t.apiKey}}',
        headers: { 'idempotency-key': 'conformance-1' },
        body: { email: '{{who}}' },
        expect: problem(409, 'idempotency_key_reused'),
      },
      {
        request: 'POST /accounts',
        apiKey: '{{t.apiKey}}',
        body: { email: '{{who}}' },
        expect: problem(409, 'conflict'),
      },
      {
        request: 'GET /accounts?email={{who}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: [] } },
      },
      otpLogin('joined'),
      {
        check: '{{joined.body.account}}',
        is: { email: '{{who}}', role: 'member', roles: ['admin', 'member'] },
      },
      {
        request: 'GET /tenants/{{t.id}}/invites?status=accepted',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { data: { $some: { id: '{{provisioned.body.id}}', provisioned: true } } },
        },
      },
    ],
  },
];
