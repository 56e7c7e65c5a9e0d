// Issue #15's audit log: the same answers from the server and the mock for reading the log (filters, one
// event, refusals), a person's own activity, the NDJSON export, the chain check and the retention setting.
import type { Scenario } from '../scenario';
import { accessToken, problem, sdkSignIn, seedTenant } from './_steps';

const SHA256_HEX = { $match: '^[0-9a-f]{64}$' };

export const scenarios: Scenario[] = [
  {
    name: 'reads the audit log: sign-ins by filter, one event, the caller’s activity, the export and the chain',
    steps: [
      seedTenant('t'),
      sdkSignIn('a', 't'),
      accessToken('a', 'aToken'),
      {
        request: 'GET /audit-events?type=auth.login.&outcome=success',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            data: {
              $some: {
                type: 'auth.login.succeeded',
                outcome: 'success',
                actor: { type: 'account', id: { $type: 'string' } },
                tenant_id: '{{t.id}}',
                hash: SHA256_HEX,
              },
            },
            pagination: { has_more: false, next_cursor: null },
          },
        },
        save: 'logins',
      },
      {
        request: 'GET /audit-events/{{logins.body.data[0].id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { id: '{{logins.body.data[0].id}}', type: 'auth.login.succeeded' } },
      },
      {
        request: 'GET /audit-events/00000000-0000-4000-8000-000000000000',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'GET /audit-events?outcome=maybe',
        apiKey: '{{t.apiKey}}',
        expect: problem(400, 'validation_failed'),
      },
      { request: 'GET /audit-events', token: '{{aToken}}', expect: problem(403, 'forbidden') },
      { request: 'GET /audit-events', expect: problem(401, 'unauthenticated') },
      {
        request: 'GET /auth/activity',
        token: '{{aToken}}',
        expect: {
          status: 200,
          body: { data: { $some: { type: 'auth.login.succeeded', outcome: 'success' } } },
        },
      },
      {
        request: 'GET /auth/activity',
        apiKey: '{{t.apiKey}}',
        expect: problem(403, 'credential_not_allowed'),
      },
      {
        request: 'GET /audit-events/export?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          headers: { 'content-type': { $match: '^application/x-ndjson' } },
          body: { $match: '"type":"auth\\.login\\.succeeded"' },
        },
      },
      {
        request: 'GET /audit-events/export?from=2000-01-01T00:00:00Z',
        apiKey: '{{t.apiKey}}',
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'GET /audit-events/verify',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { ok: true, first_seq: 1, first_break: null, last_hash: SHA256_HEX } },
      },
      {
        request: 'GET /audit-settings',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { $exactly: { audit_retention_days: 365 } } },
      },
      {
        request: 'PATCH /audit-settings',
        apiKey: '{{t.apiKey}}',
        body: { audit_retention_days: 90 },
        expect: { status: 200, body: { $exactly: { audit_retention_days: 90 } } },
      },
      {
        request: 'PATCH /audit-settings',
        token: '{{aToken}}',
        body: { audit_retention_days: 1 },
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'GET /audit-events?type=audit.settings.',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            data: [
              {
                type: 'audit.settings.updated',
                actor: { type: 'api_key' },
                details: { before: { audit_retention_days: 365 }, after: { audit_retention_days: 90 } },
              },
            ],
          },
        },
      },
    ],
  },
];
