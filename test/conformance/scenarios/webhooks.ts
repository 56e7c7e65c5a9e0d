// Outbound webhooks (#16): endpoints, secrets, test events, deliveries and replay answer alike on the
// server and the mock (neither target runs a delivery worker here).
import type { Scenario } from '../scenario';
import { problem, seedTenant } from './_steps';

const WHSEC = '^whsec_[A-Za-z0-9+/]{43}=$';

export const scenarios: Scenario[] = [
  {
    name: 'Webhooks: register (secret once), read, pause, rotate, test event, deliveries, replay, refusals',
    steps: [
      seedTenant('t'),
      {
        request: 'POST /webhooks/endpoints',
        token: '{{t.ownerToken}}',
        body: { url: 'http://localhost:9/hook', event_types: ['account.*', 'api_key.created'] },
        expect: {
          status: 201,
          body: {
            secret: { $match: WHSEC },
            url: 'http://localhost:9/hook',
            event_types: ['account.*', 'api_key.created'],
            description: null,
            enabled: true,
            disabled_reason: null,
          },
        },
        save: 'hook',
      },
      {
        request: 'GET /webhooks/endpoints/{{hook.body.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { id: '{{hook.body.id}}', secret: { $absent: true } } },
      },
      {
        request: 'GET /webhooks/endpoints',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $some: { id: '{{hook.body.id}}' } } } },
        save: 'listed',
      },
      { check: '{{listed.body}}', is: { $notContaining: '{{hook.body.secret}}' } },
      {
        request: 'PATCH /webhooks/endpoints/{{hook.body.id}}',
        apiKey: '{{t.apiKey}}',
        body: { enabled: false, description: 'paused' },
        expect: { status: 200, body: { enabled: false, disabled_reason: 'manual', description: 'paused' } },
      },
      {
        request: 'POST /webhooks/endpoints/{{hook.body.id}}/rotate-secret',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { id: '{{hook.body.id}}', secret: { $match: WHSEC } } },
        save: 'rotated',
      },
      { check: '{{rotated.body.secret}}', is: { $notContaining: '{{hook.body.secret}}' } },
      {
        request: 'POST /webhooks/endpoints/{{hook.body.id}}/test',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 202,
          body: {
            endpoint_id: '{{hook.body.id}}',
            event_type: 'webhook.test',
            status: 'pending',
            attempts: 0,
            response_status: null,
          },
        },
        save: 'test',
      },
      // Deliveries are listed newest first: the replay comes a second later.
      { advanceClock: 1 },
      {
        request: 'POST /webhooks/deliveries/{{test.body.id}}/replay',
        apiKey: '{{t.apiKey}}',
        expect: { status: 202, body: { event_id: '{{test.body.event_id}}', status: 'pending' } },
        save: 'replay',
      },
      {
        request: 'GET /webhooks/endpoints/{{hook.body.id}}/deliveries?limit=1',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { data: [{ id: '{{replay.body.id}}' }], pagination: { has_more: true } },
        },
        save: 'page',
      },
      {
        request:
          'GET /webhooks/endpoints/{{hook.body.id}}/deliveries?cursor={{page.body.pagination.next_cursor}}',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: { data: [{ id: '{{test.body.id}}' }], pagination: { has_more: false } },
        },
      },
      {
        request: 'POST /webhooks/endpoints',
        apiKey: '{{t.apiKey}}',
        body: { url: 'http://example.com/hook', event_types: ['*'] },
        expect: problem(400, 'webhook_url_refused'),
      },
      {
        request: 'POST /webhooks/endpoints',
        apiKey: '{{t.apiKey}}',
        body: { url: 'https://hooks.example.com/x', event_types: ['nope.*'] },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'DELETE /webhooks/endpoints/{{hook.body.id}}',
        apiKey: '{{t.apiKey}}',
        expect: { status: 204 },
      },
      {
        request: 'GET /webhooks/endpoints/{{hook.body.id}}/deliveries',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'POST /webhooks/deliveries/{{test.body.id}}/replay',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
    ],
  },
];
