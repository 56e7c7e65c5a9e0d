// Issue #14's roles, groups and invites as admins expect them: custom roles written into the policy document
// (POST /roles, PATCH/DELETE /roles/{name}), group management, invites listed, revoked and resent, with
// their refusals; the same answers on the mock and the server.
import type { Scenario } from '../scenario';
import { accessToken, problem, sdkSignIn, seedTenant } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'custom roles edit the policy document (If-Match, ETag), refuse escalation, built-ins and roles in use',
    steps: [
      seedTenant('t'),
      sdkSignIn('m', 't'),
      accessToken('m', 'mToken'),
      { request: 'GET /policy', apiKey: '{{t.apiKey}}', expect: { status: 200 }, save: 'before' },
      {
        request: 'POST /roles',
        apiKey: '{{t.apiKey}}',
        headers: { 'if-match': '{{before.body.etag}}' },
        body: { name: 'support', description: 'Reads accounts', permissions: ['accounts.read'] },
        expect: {
          status: 201,
          body: {
            $exactly: {
              name: 'support',
              description: 'Reads accounts',
              permissions: ['accounts.read'],
              built_in: false,
            },
          },
        },
        save: 'created',
      },
      { request: 'GET /policy', apiKey: '{{t.apiKey}}', expect: { status: 200 }, save: 'after' },
      {
        check: '{{after.body.document.roles.support}}',
        is: { $exactly: { description: 'Reads accounts', permissions: ['accounts.read'] } },
      },
      { check: '{{created.headers.etag}}', is: '{{after.body.etag}}' },
      { check: '{{after.body.etag}}', is: { $not: '{{before.body.etag}}' } },
      {
        request: 'POST /roles',
        apiKey: '{{t.apiKey}}',
        headers: { 'if-match': '{{before.body.etag}}' },
        body: { name: 'late', permissions: [] },
        expect: problem(412, 'precondition_failed'),
      },
      {
        request: 'POST /roles',
        apiKey: '{{t.apiKey}}',
        body: { name: 'support', permissions: [] },
        expect: problem(409, 'conflict'),
      },
      {
        request: 'POST /roles',
        token: '{{mToken}}',
        body: { name: 'mine', permissions: [] },
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'PATCH /roles/support',
        apiKey: '{{t.apiKey}}',
        body: { permissions: ['accounts.read', 'groups.read'], description: null },
        expect: {
          status: 200,
          body: {
            $exactly: {
              name: 'support',
              description: null,
              permissions: ['accounts.read', 'groups.read'],
              built_in: false,
            },
          },
        },
      },
      {
        request: 'PATCH /roles/nobody',
        apiKey: '{{t.apiKey}}',
        body: { permissions: [] },
        expect: problem(404, 'not_found'),
      },
      {
        request: 'PATCH /roles/owner',
        apiKey: '{{t.apiKey}}',
        body: { permissions: ['tenants.read'] },
        expect: problem(409, 'conflict'),
      },
      // The member moves to the new role: it is in use.
      {
        request: 'PUT /accounts/{{m_signedIn.account.id}}/role',
        apiKey: '{{t.apiKey}}',
        body: { role: 'support' },
        expect: { status: 200, body: { role: 'support' } },
      },
      { request: 'DELETE /roles/member', apiKey: '{{t.apiKey}}', expect: problem(409, 'built_in') },
      { request: 'DELETE /roles/support', apiKey: '{{t.apiKey}}', expect: problem(409, 'role_in_use') },
      {
        request: 'DELETE /roles/support?reassign_to=nobody',
        apiKey: '{{t.apiKey}}',
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'DELETE /roles/support?reassign_to=member',
        apiKey: '{{t.apiKey}}',
        expect: { status: 204 },
      },
      {
        request: 'GET /accounts/{{m_signedIn.account.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { role: 'member' } },
      },
      {
        request: 'GET /roles',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $none: { name: 'support' } } } },
      },
      // Limits: a tenant setting, 400 limit_exceeded past it.
      {
        request: 'PATCH /tenants/{{t.id}}',
        apiKey: '{{t.apiKey}}',
        body: { limits: { max_permissions_per_role: 1 } },
        expect: {
          status: 200,
          body: {
            limits: {
              max_permissions_per_role: 1,
              max_permissions_per_group: 100,
              max_groups_per_account: 50,
              max_roles_per_account: 10,
            },
          },
        },
      },
      {
        request: 'POST /roles',
        apiKey: '{{t.apiKey}}',
        body: { name: 'wide', permissions: ['a.read', 'b.read'] },
        expect: problem(400, 'limit_exceeded'),
      },
    ],
  },
  {
    name: "groups: PATCH changes what membership grants, members page by cursor, DELETE bumps members' grants",
    steps: [
      seedTenant('t'),
      sdkSignIn('m', 't'),
      sdkSignIn('n', 't', { memoryStorage: true }),
      accessToken('m', 'mToken'),
      {
        request: 'POST /groups',
        apiKey: '{{t.apiKey}}',
        body: { name: 'beta', permissions: ['reports.read'] },
        expect: { status: 201 },
        save: 'beta',
      },
      {
        each: ['{{m_signedIn.account.id}}', '{{n_signedIn.account.id}}'],
        as: 'who',
        steps: [
          {
            request: 'POST /groups/{{beta.body.id}}/members',
            apiKey: '{{t.apiKey}}',
            body: { account_id: '{{who}}' },
            expect: { status: 201 },
          },
        ],
      },
      {
        request: 'PATCH /groups/{{beta.body.id}}',
        apiKey: '{{t.apiKey}}',
        body: { description: 'Beta testers', permissions: ['reports.read', 'reports.export'] },
        expect: {
          status: 200,
          body: {
            name: 'beta',
            description: 'Beta testers',
            permissions: ['reports.read', 'reports.export'],
          },
        },
      },
      {
        request: 'POST /authorize',
        token: '{{mToken}}',
        body: { action: 'reports.export' },
        expect: { status: 200, body: { allowed: true } },
      },
      {
        request: 'PATCH /groups/{{beta.body.id}}',
        apiKey: '{{t.apiKey}}',
        body: {},
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'PATCH /groups/{{beta.body.id}}',
        token: '{{mToken}}',
        body: { description: 'x' },
        expect: problem(403, 'forbidden'),
      },
      // Oldest first, ties by account id (the mock's clock stands still: both joined at once).
      {
        request: 'GET /groups/{{beta.body.id}}/members?limit=1',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { data: [{ group_id: '{{beta.body.id}}' }], pagination: { has_more: true } },
        },
        save: 'page1',
      },
      {
        request: 'GET /groups/{{beta.body.id}}/members?limit=1&cursor={{page1.body.pagination.next_cursor}}',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { data: { $length: 1 }, pagination: { has_more: false, next_cursor: null } },
        },
        save: 'page2',
      },
      {
        check: ['{{page1.body.data[0].account_id}}', '{{page2.body.data[0].account_id}}'],
        is: {
          $oneOf: [
            ['{{m_signedIn.account.id}}', '{{n_signedIn.account.id}}'],
            ['{{n_signedIn.account.id}}', '{{m_signedIn.account.id}}'],
          ],
        },
      },
      { request: 'GET /groups', apiKey: '{{t.apiKey}}', expect: { status: 200 }, save: 'groups' },
      { let: { verified: { $find: '{{groups.body.data}}', where: { name: 'verified' } } } },
      { request: 'DELETE /groups/{{verified.id}}', apiKey: '{{t.apiKey}}', expect: problem(409, 'built_in') },
      { request: 'DELETE /groups/{{beta.body.id}}', apiKey: '{{t.apiKey}}', expect: { status: 204 } },
      {
        request: 'POST /authorize',
        token: '{{mToken}}',
        body: { action: 'reports.export' },
        expect: { status: 200, body: { allowed: false } },
      },
      {
        request: 'GET /groups/{{beta.body.id}}/members',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'GET /accounts/{{m_signedIn.account.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { groups: [] } },
      },
    ],
  },
  {
    name: 'invites: listed with their status, revoked (the code stops working), resent with a new code',
    steps: [
      seedTenant('home'),
      seedTenant('t'),
      sdkSignIn('a', 'home'),
      sdkSignIn('m', 't', { memoryStorage: true }),
      accessToken('m', 'mToken'),
      {
        request: 'POST /tenants/{{t.id}}/invites',
        apiKey: '{{t.apiKey}}',
        body: { email: '{{a_email}}' },
        expect: { status: 201, body: { mailed: true } },
        save: 'first',
      },
      {
        request: 'POST /tenants/{{t.id}}/invites',
        apiKey: '{{t.apiKey}}',
        body: { email: { $email: 'quiet' }, send_email: false },
        expect: { status: 201, body: { mailed: false } },
        save: 'quiet',
      },
      {
        request: 'GET /tenants/{{t.id}}/invites',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            data: { $length: 2 },
            pagination: { has_more: false, next_cursor: null },
          },
        },
        save: 'listed',
      },
      {
        check: '{{listed.body.data}}',
        is: {
          $some: {
            id: '{{first.body.id}}',
            email: '{{a_email}}',
            role: 'member',
            status: 'pending',
            created_by: null,
            accepted_at: null,
            revoked_at: null,
            sent_at: { $type: 'string' },
          },
        },
      },
      { check: '{{listed.body}}', is: { $notContaining: '{{first.body.code}}' } },
      {
        request: 'GET /tenants/{{t.id}}/invites?limit=1',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $length: 1 }, pagination: { has_more: true } } },
      },
      {
        request: 'GET /tenants/{{t.id}}/invites',
        token: '{{mToken}}',
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'GET /tenants/{{home.id}}/invites',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      // Revoked: the code stops working; revoking again is a 204; resending it is a conflict.
      {
        request: 'DELETE /tenants/{{t.id}}/invites/{{quiet.body.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 204 },
      },
      {
        request: 'DELETE /tenants/{{t.id}}/invites/{{quiet.body.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 204 },
      },
      {
        request: 'POST /tenants/{{t.id}}/invites/{{quiet.body.id}}/resend',
        apiKey: '{{t.apiKey}}',
        expect: problem(409, 'conflict'),
      },
      {
        request: 'GET /tenants/{{t.id}}/invites?status=revoked',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: [{ id: '{{quiet.body.id}}', status: 'revoked' }] } },
      },
      // Resent: a new code; the old one is invite_invalid, the new one works once.
      {
        request: 'POST /tenants/{{t.id}}/invites/{{first.body.id}}/resend',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            id: '{{first.body.id}}',
            email: '{{a_email}}',
            mailed: true,
            code: { $not: '{{first.body.code}}' },
          },
        },
        save: 'resent',
      },
      {
        call: 'a.acceptInvite',
        args: ['{{first.body.code}}'],
        rejects: { code: 'invite_invalid', status: 400 },
      },
      {
        call: 'a.acceptInvite',
        args: ['{{resent.body.code}}'],
        expect: { tenant: { id: '{{t.id}}' }, account: { role: 'member' } },
      },
      {
        request: 'GET /tenants/{{t.id}}/invites?status=accepted',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { data: [{ id: '{{first.body.id}}', accepted_at: { $type: 'string' } }] },
        },
      },
      {
        request: 'DELETE /tenants/{{t.id}}/invites/{{first.body.id}}',
        apiKey: '{{t.apiKey}}',
        expect: problem(409, 'conflict'),
      },
      {
        request: 'DELETE /tenants/{{t.id}}/invites/00000000-0000-4000-8000-000000000000',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
    ],
  },
];
