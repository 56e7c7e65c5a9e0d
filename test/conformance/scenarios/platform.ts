// The platform operator (#15): a platform key reaches /platform/*, a tenant's credentials do not; a suspended
// tenant's token and key are refused and work again once it is active; deletion is scheduled and cancelled.
import type { Scenario } from '../scenario';
import { PLATFORM_KEY, problem, seedTenant } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'Platform: only the platform key reaches /platform/*; suspension refuses a tenant, reactivation and cancelled deletion restore it',
    steps: [
      seedTenant('t'),
      {
        request: 'GET /platform/tenants',
        apiKey: '{{t.apiKey}}',
        expect: problem(403, 'credential_not_allowed'),
      },
      {
        request: 'GET /platform/tenants',
        token: '{{t.ownerToken}}',
        expect: problem(403, 'credential_not_allowed'),
      },
      { request: 'GET /platform/tenants', expect: problem(401, 'unauthenticated') },
      { request: 'GET /accounts', apiKey: PLATFORM_KEY, expect: problem(403, 'credential_not_allowed') },
      {
        request: 'GET /platform/tenants?q={{t.code}}',
        apiKey: PLATFORM_KEY,
        expect: {
          status: 200,
          body: {
            data: [{ id: '{{t.id}}', code: '{{t.code}}', status: 'active', deletion_due_at: null }],
            pagination: { has_more: false },
          },
        },
      },
      {
        request: 'PATCH /platform/tenants/{{t.id}}',
        apiKey: PLATFORM_KEY,
        body: { status: 'suspended' },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'PATCH /platform/tenants/{{t.id}}',
        apiKey: PLATFORM_KEY,
        body: { status: 'suspended', reason: 'unpaid' },
        expect: { status: 200, body: { status: 'suspended', status_reason: 'unpaid' } },
      },
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: problem(403, 'tenant_suspended') },
      { request: 'GET /accounts', apiKey: '{{t.apiKey}}', expect: problem(403, 'tenant_suspended') },
      {
        request: 'PATCH /platform/tenants/{{t.id}}',
        apiKey: PLATFORM_KEY,
        body: { status: 'active' },
        expect: { status: 200, body: { status: 'active', status_reason: null } },
      },
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: { status: 200 } },
      { request: 'GET /accounts', apiKey: '{{t.apiKey}}', expect: { status: 200 } },
      {
        request: 'DELETE /platform/tenants/{{t.id}}',
        apiKey: PLATFORM_KEY,
        expect: {
          status: 202,
          body: { status: 'pending_deletion', deletion_due_at: { $match: '^\\d{4}-' } },
        },
      },
      { request: 'GET /accounts', apiKey: '{{t.apiKey}}', expect: problem(403, 'tenant_suspended') },
      {
        request: 'PATCH /platform/tenants/{{t.id}}',
        apiKey: PLATFORM_KEY,
        body: { status: 'active' },
        expect: { status: 200, body: { status: 'active', deletion_due_at: null } },
      },
      { request: 'GET /accounts', apiKey: '{{t.apiKey}}', expect: { status: 200 } },
      {
        request: 'GET /platform/tenants/{{t.id}}/usage',
        apiKey: PLATFORM_KEY,
        expect: { status: 200, body: { tenant_id: '{{t.id}}', accounts: 1, authorize_calls: 0 } },
      },
    ],
  },
];
