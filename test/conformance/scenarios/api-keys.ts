// API keys and the revocation feed.
import type { Scenario } from '../scenario';
import { ACCESS_TTL, problem, seedTenant, TOLERANCE } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'API keys: shown once, listed without the secret, revoked ones stop working; the revocation feed resumes where it stopped',
    steps: [
      seedTenant('t'),
      {
        request: 'POST /api-keys',
        token: '{{t.ownerToken}}',
        body: { name: 'feed' },
        expect: {
          status: 201,
          body: {
            key: { $match: '^enf_[A-Za-z0-9_-]{43}$' },
            name: 'feed',
            role: 'admin',
            prefix: { $slice: '{{created.body.key}}', end: 12 },
            last_used_at: { $absent: true },
          },
        },
        save: 'created',
      },
      { let: { key: '{{created.body.key}}' } },

      // The feed: the server's retention (access TTL + the largest verifier tolerance), then only what is new.
      {
        request: 'GET /revocations',
        apiKey: '{{key}}',
        expect: {
          status: 200,
          body: { tenant_id: '{{t.id}}', retention_seconds: ACCESS_TTL + Math.max(TOLERANCE, 60) },
        },
        save: 'first',
      },
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', save: 'me' },
      { request: 'POST /auth/logout', token: '{{t.ownerToken}}', body: {}, expect: { status: 204 } },
      {
        request: 'GET /revocations?cursor={{first.body.next_cursor}}&limit=10',
        apiKey: '{{key}}',
        expect: {
          status: 200,
          body: {
            sessions: [{ session_id: '{{me.body.session.id}}', account_id: '{{me.body.account.id}}' }],
            has_more: false,
          },
        },
        save: 'next',
      },
      {
        request: 'GET /revocations?cursor={{next.body.next_cursor}}',
        apiKey: '{{key}}',
        expect: { body: { sessions: [], accounts: [], has_more: false } },
      },
      {
        request: 'GET /revocations?cursor=nope',
        apiKey: '{{key}}',
        expect: problem(400, 'validation_failed'),
      },

      // Listed without the secret, with its last use; deleted, it leaves the list and stops working.
      {
        request: 'GET /api-keys',
        apiKey: '{{t.apiKey}}',
        expect: {
          body: {
            data: { $some: { id: '{{created.body.id}}', name: 'feed', last_used_at: { $type: 'string' } } },
          },
        },
        save: 'listed',
      },
      { check: '{{listed.body}}', is: { $notContaining: '{{key}}' } },
      { request: 'DELETE /api-keys/{{created.body.id}}', apiKey: '{{t.apiKey}}', expect: { status: 204 } },
      { request: 'GET /revocations', apiKey: '{{key}}', expect: problem(401, 'invalid_credentials') },
      {
        request: 'DELETE /api-keys/{{created.body.id}}',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'GET /api-keys',
        apiKey: '{{t.apiKey}}',
        expect: { body: { data: { $none: { id: '{{created.body.id}}' } } } },
      },
    ],
  },
];
