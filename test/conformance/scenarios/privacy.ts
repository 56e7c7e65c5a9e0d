// Issue #15's privacy part: the same answers from the server and the mock for the export, a deletion
// request through its grace period (shown on GET /auth/me, cancelled), the admin's list and processing,
// and what an erased person's token gets afterwards.
import type { Scenario } from '../scenario';
import { accessToken, problem, sdkSignIn, seedTenant } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'exports, asks for deletion, cancels, asks again; the admin processes it and the session ends',
    steps: [
      seedTenant('t'),
      sdkSignIn('a', 't'),
      accessToken('a', 'aToken'),
      {
        request: 'GET /auth/me/export',
        token: '{{aToken}}',
        expect: {
          status: 200,
          body: {
            format: 'enforcer.personal-data-export.v1',
            person: { email_verified: true },
            accounts: { $some: { tenant: { id: '{{t.id}}' }, roles: ['member'] } },
            credentials: { password: false, totp: false },
            sessions: { $some: { tenant_id: '{{t.id}}' } },
            audit_events: { $some: { type: 'auth.login.succeeded' } },
            deletion_request: null,
          },
        },
      },
      {
        request: 'GET /auth/me/export',
        apiKey: '{{t.apiKey}}',
        expect: problem(403, 'credential_not_allowed'),
      },
      {
        request: 'GET /privacy-settings',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { deletion_grace_days: 30 } },
      },
      {
        request: 'POST /auth/me/deletion',
        token: '{{aToken}}',
        body: {},
        expect: { status: 201, body: { status: 'pending', tenant_id: '{{t.id}}', processed_by: null } },
        save: 'asked',
      },
      {
        request: 'GET /auth/me',
        token: '{{aToken}}',
        expect: {
          status: 200,
          body: {
            pending_deletion: { id: '{{asked.body.id}}', scheduled_for: '{{asked.body.scheduled_for}}' },
          },
        },
      },
      {
        request: 'DELETE /auth/me/deletion',
        token: '{{aToken}}',
        expect: { status: 200, body: { id: '{{asked.body.id}}', status: 'cancelled' } },
      },
      {
        request: 'GET /auth/me/deletion',
        token: '{{aToken}}',
        expect: { status: 200, body: { deletion_request: null } },
      },
      { request: 'DELETE /auth/me/deletion', token: '{{aToken}}', expect: problem(404, 'not_found') },
      {
        request: 'POST /deletion-requests/{{asked.body.id}}/process',
        apiKey: '{{t.apiKey}}',
        expect: problem(409, 'status_conflict'),
      },
      {
        request: 'POST /auth/me/deletion',
        token: '{{aToken}}',
        body: {},
        expect: { status: 201, body: { status: 'pending' } },
        save: 'again',
      },
      { request: 'GET /deletion-requests', token: '{{aToken}}', expect: problem(403, 'forbidden') },
      {
        request: 'GET /deletion-requests?status=pending',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: [{ id: '{{again.body.id}}' }] } },
      },
      {
        request: 'POST /deletion-requests/{{again.body.id}}/process',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            deletion_request: {
              id: '{{again.body.id}}',
              status: 'completed',
              processed_by: { type: 'api_key' },
            },
            erased: { accounts: 1, sessions_ended: 1 },
          },
        },
      },
      { request: 'GET /auth/me', token: '{{aToken}}', expect: { status: 401 } },
      {
        request: 'GET /audit-events/verify',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { ok: true, first_break: null } },
      },
    ],
  },
];
