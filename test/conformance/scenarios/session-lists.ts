// Issue #14's sessions: the caller's own (GET/DELETE /auth/sessions) and an account's, for admins
// (GET/DELETE /accounts/{id}/sessions). Ending a session ends its refresh-token family and reaches the feed.
import type { Scenario } from '../scenario';
import { accessToken, problem, sdkSignIn, seedTenant } from './_steps';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const CHROME_ON_MACOS =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export const scenarios: Scenario[] = [
  {
    name: "lists the person's live sessions in every tenant; ends one, then every other, and never someone else's",
    steps: [
      seedTenant('t'),
      seedTenant('u'),
      sdkSignIn('a', 't'),
      sdkSignIn('b', 't', { email: '{{a_email}}', memoryStorage: true }),
      sdkSignIn('c', 'u', { email: '{{a_email}}', memoryStorage: true }),
      sdkSignIn('z', 't', { memoryStorage: true }),
      accessToken('a', 'aToken'),
      accessToken('b', 'bToken'),
      accessToken('z', 'zToken'),
      {
        request: 'GET /auth/sessions',
        token: '{{aToken}}',
        expect: {
          status: 200,
          body: { data: { $length: 3 }, pagination: { has_more: false, next_cursor: null } },
        },
        save: 'list',
      },
      {
        check: '{{list.body.data}}',
        is: {
          $some: {
            id: '{{a_signedIn.sessionId}}',
            tenant_id: '{{t.id}}',
            account_id: '{{a_signedIn.account.id}}',
            current: true,
            amr: ['otp'],
            device: { $type: 'string' },
            created_at: { $type: 'string' },
            last_used_at: { $type: 'string' },
            expires_at: { $type: 'string' },
          },
        },
      },
      {
        check: '{{list.body.data}}',
        is: { $some: { id: '{{c_signedIn.sessionId}}', tenant_id: '{{u.id}}', current: false } },
      },
      { check: '{{list.body.data}}', is: { $none: { id: '{{z_signedIn.sessionId}}' } } },
      { check: '{{list.body.data}}', is: { $pluck: 'current', is: { $some: true } } },
      // Cursor pagination, as every list.
      {
        request: 'GET /auth/sessions?limit=2',
        token: '{{aToken}}',
        expect: { status: 200, body: { data: { $length: 2 }, pagination: { has_more: true } } },
        save: 'page1',
      },
      {
        request: 'GET /auth/sessions?limit=2&cursor={{page1.body.pagination.next_cursor}}',
        token: '{{aToken}}',
        expect: { status: 200, body: { data: { $length: 1 }, pagination: { has_more: false } } },
      },
      {
        request: 'GET /auth/sessions?cursor=nope',
        token: '{{aToken}}',
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'GET /auth/sessions',
        apiKey: '{{t.apiKey}}',
        expect: problem(403, 'credential_not_allowed'),
      },
      { request: 'GET /auth/sessions', expect: problem(401, 'unauthenticated') },

      // Someone else's session, an unknown one: the same 404; theirs goes on working.
      {
        request: 'DELETE /auth/sessions/{{z_signedIn.sessionId}}',
        token: '{{aToken}}',
        expect: problem(404, 'not_found'),
      },
      { request: `DELETE /auth/sessions/${UNKNOWN}`, token: '{{aToken}}', expect: problem(404, 'not_found') },
      {
        request: 'DELETE /auth/sessions/not-a-uuid',
        token: '{{aToken}}',
        expect: problem(400, 'validation_failed'),
      },
      { request: 'GET /auth/me', token: '{{zToken}}', expect: { status: 200 } },

      // One of mine: ended, its refresh fails (the SDK signs out), it is in the feed; a second time is a 404.
      {
        request: 'DELETE /auth/sessions/{{b_signedIn.sessionId}}',
        token: '{{aToken}}',
        expect: { status: 204 },
      },
      {
        request: 'DELETE /auth/sessions/{{b_signedIn.sessionId}}',
        token: '{{aToken}}',
        expect: problem(404, 'not_found'),
      },
      { request: 'GET /auth/me', token: '{{bToken}}', expect: problem(401, 'token_invalid') },
      { call: 'b.api.auth.me', expect: { status: 401 } },
      { call: 'b.getSnapshot', expect: { status: 'signed_out' } },
      {
        request: 'GET /revocations',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { sessions: { $some: { session_id: '{{b_signedIn.sessionId}}' } } } },
      },

      // Every other one, in every tenant: the query is required.
      { request: 'DELETE /auth/sessions', token: '{{aToken}}', expect: problem(400, 'validation_failed') },
      {
        request: 'DELETE /auth/sessions?except=all',
        token: '{{aToken}}',
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'DELETE /auth/sessions?except=current',
        token: '{{aToken}}',
        expect: { status: 200, body: { $exactly: { sessions_ended: 1 } } },
      },
      {
        request: 'GET /auth/sessions',
        token: '{{aToken}}',
        expect: { status: 200, body: { data: [{ id: '{{a_signedIn.sessionId}}', current: true }] } },
      },
      { call: 'c.api.auth.me', expect: { status: 401 } },
      {
        request: 'GET /revocations',
        apiKey: '{{u.apiKey}}',
        expect: { status: 200, body: { sessions: { $some: { session_id: '{{c_signedIn.sessionId}}' } } } },
      },
      { request: 'GET /auth/me', token: '{{zToken}}', expect: { status: 200 } },

      // Through the SDK: the list, then ending its own session signs it out.
      { call: 'a.sessions.list', expect: [{ id: '{{a_signedIn.sessionId}}', current: true }] },
      { call: 'a.sessions.endOthers', expect: 0 },
      { call: 'a.sessions.end', args: [UNKNOWN], rejects: { code: 'not_found', status: 404 } },
      { call: 'a.sessions.end', args: ['{{a_signedIn.sessionId}}'] },
      { call: 'a.getSnapshot', expect: { status: 'signed_out' } },
      { request: 'GET /auth/me', token: '{{aToken}}', expect: problem(401, 'token_invalid') },
    ],
  },
  {
    name: "admins list and end an account's sessions in their tenant, never an outranking account's",
    steps: [
      seedTenant('t'),
      seedTenant('u'),
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: { status: 200 }, save: 'owner' },
      sdkSignIn('m', 't'),
      sdkSignIn('m2', 't', { email: '{{m_email}}', memoryStorage: true }),
      accessToken('m', 'mToken'),
      { let: { account: '{{m_signedIn.account.id}}' } },
      {
        request: 'GET /accounts/{{account}}/sessions',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: { $length: 2 }, pagination: { has_more: false } } },
        save: 'list',
      },
      {
        check: '{{list.body.data}}',
        is: { $some: { id: '{{m2_signedIn.sessionId}}', account_id: '{{account}}', tenant_id: '{{t.id}}' } },
      },
      { check: '{{list.body.data}}', is: { $none: { current: true } } },
      {
        request: 'GET /accounts/{{owner.body.account.id}}/sessions',
        token: '{{t.ownerToken}}',
        expect: { status: 200, body: { data: [{ id: '{{owner.body.session.id}}', current: true }] } },
      },

      // A member holds neither permission; another tenant's admin finds no such account.
      {
        request: 'GET /accounts/{{account}}/sessions',
        token: '{{mToken}}',
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'DELETE /accounts/{{account}}/sessions',
        token: '{{mToken}}',
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'DELETE /accounts/{{account}}/sessions/{{m2_signedIn.sessionId}}',
        token: '{{mToken}}',
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'GET /accounts/{{account}}/sessions',
        apiKey: '{{u.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'DELETE /accounts/{{account}}/sessions',
        token: '{{u.ownerToken}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'DELETE /accounts/{{account}}/sessions/{{m2_signedIn.sessionId}}',
        apiKey: '{{u.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      { call: 'm2.api.auth.me', expect: { status: 200 } },

      // One session: a session of another account is a 404, as an unknown one.
      {
        request: 'DELETE /accounts/{{account}}/sessions/{{owner.body.session.id}}',
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: `DELETE /accounts/{{account}}/sessions/${UNKNOWN}`,
        apiKey: '{{t.apiKey}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'DELETE /accounts/{{account}}/sessions/{{m2_signedIn.sessionId}}',
        token: '{{t.ownerToken}}',
        expect: { status: 204 },
      },
      {
        request: 'DELETE /accounts/{{account}}/sessions/{{m2_signedIn.sessionId}}',
        token: '{{t.ownerToken}}',
        expect: problem(404, 'not_found'),
      },
      { call: 'm2.api.auth.me', expect: { status: 401 } },
      { call: 'm2.getSnapshot', expect: { status: 'signed_out' } },
      { request: 'GET /auth/me', token: '{{mToken}}', expect: { status: 200 } },

      // All of them.
      {
        request: 'DELETE /accounts/{{account}}/sessions',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { $exactly: { sessions_ended: 1 } } },
      },
      {
        request: 'GET /accounts/{{account}}/sessions',
        apiKey: '{{t.apiKey}}',
        expect: { status: 200, body: { data: [] } },
      },
      { request: 'GET /auth/me', token: '{{mToken}}', expect: problem(401, 'token_invalid') },
      {
        request: 'GET /revocations',
        apiKey: '{{t.apiKey}}',
        expect: {
          status: 200,
          body: {
            sessions: { $some: { session_id: '{{m_signedIn.sessionId}}', account_id: '{{account}}' } },
          },
        },
      },

      // An admin may read the owner's sessions but not end them (the owner outranks them).
      sdkSignIn('ad', 't', { memoryStorage: true }),
      {
        request: 'PUT /accounts/{{ad_signedIn.account.id}}/role',
        apiKey: '{{t.apiKey}}',
        body: { role: 'admin' },
        expect: { status: 200 },
      },
      accessToken('ad', 'adToken'),
      {
        request: 'GET /accounts/{{owner.body.account.id}}/sessions',
        token: '{{adToken}}',
        expect: { status: 200, body: { data: { $length: 1 } } },
      },
      {
        request: 'DELETE /accounts/{{owner.body.account.id}}/sessions',
        token: '{{adToken}}',
        expect: problem(403, 'forbidden'),
      },
      {
        request: 'DELETE /accounts/{{owner.body.account.id}}/sessions/{{owner.body.session.id}}',
        token: '{{adToken}}',
        expect: problem(403, 'forbidden'),
      },
      { request: 'GET /auth/me', token: '{{t.ownerToken}}', expect: { status: 200 } },
    ],
  },
  {
    name: 'a session shows the user agent it was signed in with, and a coarse device label',
    steps: [
      seedTenant('t'),
      { let: { who: { $email: 'user' } } },
      {
        request: 'POST /auth/otp/request',
        body: { email: '{{who}}', tenant_code: '{{t.code}}' },
        expect: { status: 200 },
        save: 'otp',
      },
      {
        request: 'POST /auth/login',
        headers: { 'user-agent': CHROME_ON_MACOS },
        body: {
          provider: 'email_otp',
          email: '{{who}}',
          otp: '{{otp.body.code}}',
          tenant_code: '{{t.code}}',
        },
        expect: { status: 200 },
        save: 'login',
      },
      {
        request: 'GET /auth/sessions',
        token: '{{login.body.token}}',
        expect: {
          status: 200,
          body: {
            data: [{ current: true, user_agent: CHROME_ON_MACOS, device: 'Chrome on macOS', amr: ['otp'] }],
          },
        },
      },
    ],
  },
];
