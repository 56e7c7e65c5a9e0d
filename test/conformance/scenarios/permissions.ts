// What the browser SDK's can() runs on follows groups and the policy.
import type { Scenario } from '../scenario';
import { accessToken, problem, sdkSignIn, seedTenant } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'the group gate flips can()',
    steps: [
      seedTenant('t'),
      sdkSignIn('a', 't', { permissions: true }),
      { permissionsReady: 'a' },
      { call: 'a.can', args: ['transfers.create'], expect: false },
      {
        request: 'GET /groups',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $some: { name: 'verified' } } } },
        save: 'groups',
      },
      { let: { verified: { $find: '{{groups.body.data}}', where: { name: 'verified' } } } },
      { call: 'a.getSnapshot', expect: { status: 'signed_in' }, save: 's' },
      {
        request: 'POST /groups/{{verified.id}}/members',
        apiKey: '{{t.apiKey}}',
        body: { account_id: '{{s.account.id}}' },
        expect: { status: 201 },
      },
      { call: 'a.reloadPermissions' },
      { call: 'a.can', args: ['transfers.create'], expect: true },
      { call: 'a.getSnapshot', expect: { groups: ['verified'] } },
      {
        call: 'a.api.policy.authorize',
        args: [{ body: { action: 'transfers.create' } }],
        expect: {
          body: {
            $exactly: {
              allowed: true,
              reason: { kind: 'allowed_by_group', group: 'verified', permission: 'transfers.*' },
            },
          },
        },
      },
      {
        call: 'a.authorizeMany',
        args: [[{ action: 'transfers.create' }, { action: 'policy.update' }]],
        expect: [
          {
            $exactly: {
              allowed: true,
              reason: { kind: 'allowed_by_group', group: 'verified', permission: 'transfers.*' },
            },
          },
          { $exactly: { allowed: false, reason: { kind: 'no_matching_allow' } } },
        ],
      },
      {
        request: 'DELETE /groups/{{verified.id}}/members/{{s.account.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 204 },
      },
      { call: 'a.reloadPermissions' },
      { call: 'a.can', args: ['transfers.create'], expect: false },
    ],
  },
  {
    name: 'policy changes flip can(); If-Match and invalid documents are refused',
    steps: [
      seedTenant('t'),
      sdkSignIn('a', 't', { permissions: true }),
      { permissionsReady: 'a' },
      { call: 'a.can', args: ['reports.read'], expect: false },
      {
        request: 'GET /policy',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { etag: { $match: '^".+"$' } } },
        save: 'current',
      },
      {
        let: {
          next: {
            $with: '{{current.body.document}}',
            append: { 'roles.member.permissions': ['reports.read'] },
          },
        },
      },
      {
        request: 'PUT /policy',
        apiKey: '{{t.apiKey}}',
        body: '{{next}}',
        headers: { 'if-match': '"stale"' },
        expect: problem(412, 'precondition_failed'),
      },
      {
        request: 'PUT /policy',
        apiKey: '{{t.apiKey}}',
        body: {
          $with: '{{next}}',
          set: { rules: [{ effect: 'allow', actions: ['x.read'], resource: 'nope' }] },
        },
        expect: {
          ...problem(400, 'invalid_policy'),
          body: { errors: { 0: { path: { $match: '^body\\.rules\\[0\\]' } } } },
        },
      },
      {
        request: 'PUT /policy',
        apiKey: '{{t.apiKey}}',
        body: '{{next}}',
        headers: { 'if-match': '{{current.body.etag}}' },
        expect: { status: 200, body: { etag: { $not: '{{current.body.etag}}' } } },
        save: 'put',
      },
      { call: 'a.reloadPermissions' },
      { call: 'a.can', args: ['reports.read'], expect: true },
      {
        call: 'a.getSnapshot',
        expect: { status: 'signed_in', permissions: { status: 'ready', etag: '{{put.body.etag}}' } },
      },
    ],
  },
  {
    name: 'a role change takes effect on the next request, with the same access token',
    steps: [
      seedTenant('t'),
      sdkSignIn('a', 't'),
      accessToken('a', 'token'),
      {
        request: 'GET /auth/permissions',
        token: '{{token}}',
        expect: { status: 200, body: { subject: { roles: ['member'] } } },
      },
      { request: 'GET /groups', token: '{{token}}', expect: { status: 200, body: { data: [] } } },
      {
        request: 'POST /groups',
        token: '{{token}}',
        body: { name: 'vip' },
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'PUT /accounts/{{a_signedIn.account.id}}/role',
        apiKey: '{{t.apiKey}}',
        body: { role: 'admin' },
        expect: { status: 200, body: { role: 'admin' } },
      },
      {
        request: 'GET /auth/permissions',
        token: '{{token}}',
        expect: { status: 200, body: { subject: { roles: ['admin'] } } },
      },
      {
        request: 'GET /groups',
        token: '{{token}}',
        expect: { status: 200, body: { data: { $some: { name: 'verified' } } } },
      },
      { request: 'POST /groups', token: '{{token}}', body: { name: 'vip' }, expect: { status: 201 } },
    ],
  },
];
