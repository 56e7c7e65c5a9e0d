// Impersonation (#14): the owner's token for a member, with `act` and no refresh token, shown by
// /auth/me and /auth/permissions, refused for API keys, yourself and members, and ended with the account.
import type { Scenario } from '../scenario';
import { problem, seedTenant } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'the owner impersonates a member: a token with act and no refresh token, ended when the member is locked',
    steps: [
      seedTenant('t'),
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: { status: 200 }, save: 'owner' },
      { let: { who: { $email: 'member' } } },
      {
        request: 'POST /auth/otp/request',
        body: { email: '{{who}}', tenant_code: '{{t.code}}' },
        save: '_otp',
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'email_otp',
          email: '{{who}}',
          otp: '{{_otp.body.code}}',
          tenant_code: '{{t.code}}',
        },
        expect: { status: 200 },
        save: 'member',
      },
      {
        request: 'POST /accounts/{{member.body.account.id}}/impersonate',
        token: '{{t.ownerToken}}',
        body: { reason: 'support ticket', ttl: 300 },
        expect: {
          status: 200,
          body: {
            token_type: 'Bearer',
            session_id: { $type: 'string' },
            act: { sub: '{{owner.body.account.id}}' },
            account: { id: '{{member.body.account.id}}', status: 'active' },
            refresh_token: { $absent: true },
          },
        },
        save: 'imp',
      },
      { let: { claims: { $claims: '{{imp.body.token}}' } } },
      {
        check: '{{claims}}',
        is: {
          sub: '{{member.body.account.id}}',
          sid: '{{imp.body.session_id}}',
          act: { sub: '{{owner.body.account.id}}' },
          amr: [],
          mfa_at: { $absent: true },
        },
      },
      {
        request: 'GET /auth/me',
        token: '{{imp.body.token}}',
        expect: {
          status: 200,
          body: {
            account: { id: '{{member.body.account.id}}' },
            session: { id: '{{imp.body.session_id}}', amr: [], act: { sub: '{{owner.body.account.id}}' } },
          },
        },
      },
      {
        request: 'GET /auth/me',
        token: '{{member.body.token}}',
        expect: { status: 200, body: { session: { act: { $absent: true } } } },
      },
      {
        request: 'GET /auth/permissions',
        token: '{{imp.body.token}}',
        expect: {
          status: 200,
          body: { subject: { id: '{{member.body.account.id}}', actor: '{{owner.body.account.id}}' } },
        },
      },
      // Refusals: an API key, yourself, a member (no accounts.impersonate), a ttl over 900.
      {
        request: 'POST /accounts/{{member.body.account.id}}/impersonate',
        apiKey: '{{t.apiKey}}',
        body: { reason: 'x' },
        expect: problem(403, 'credential_not_allowed'),
      },
      {
        request: 'POST /accounts/{{owner.body.account.id}}/impersonate',
        token: '{{t.ownerToken}}',
        body: { reason: 'x' },
        expect: problem(403, 'self_target'),
      },
      {
        request: 'POST /accounts/{{owner.body.account.id}}/impersonate',
        token: '{{member.body.token}}',
        body: { reason: 'x' },
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'POST /accounts/{{member.body.account.id}}/impersonate',
        token: '{{t.ownerToken}}',
        body: { reason: 'x', ttl: 901 },
        expect: problem(400, 'validation_failed'),
      },
      // Every request made with the token is audited with both accounts, in the server and the mock alike.
      {
        request: 'GET /audit-events?type=account.impersonation.request',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            data: {
              $some: {
                actor: { type: 'account', id: '{{member.body.account.id}}' },
                details: {
                  method: 'GET',
                  route: '/api/v1/enforcer/auth/me',
                  status: 200,
                  impersonator_account_id: '{{owner.body.account.id}}',
                },
              },
            },
          },
        },
      },
      // The member locked: the impersonation token ends with the member's sessions.
      {
        request: 'POST /accounts/{{member.body.account.id}}/lock',
        apiKey: '{{t.apiKey}}',
        body: { reason: 'fraud' },
        expect: { status: 200 },
      },
      { request: 'GET /auth/me', token: '{{imp.body.token}}', expect: problem(401, 'token_invalid') },
      {
        request: 'POST /accounts/{{member.body.account.id}}/impersonate',
        token: '{{t.ownerToken}}',
        body: { reason: 'x' },
        expect: problem(409, 'status_conflict'),
      },
    ],
  },
];
