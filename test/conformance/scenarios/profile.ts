// Issue #14's person profile (PATCH /auth/me): the same answers from the server and the mock, including
// the refusals, and the profile in the next sign-in's answer.
import type { Scenario } from '../scenario';
import { accessToken, problem, sdkSignIn, seedTenant } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: "sets, keeps and clears the person's profile; refuses malformed fields and writes nothing",
    steps: [
      seedTenant('t'),
      sdkSignIn('a', 't'),
      accessToken('a', 'aToken'),
      {
        request: 'GET /auth/me',
        token: '{{aToken}}',
        expect: {
          status: 200,
          body: { person: { display_name: null, avatar_url: null, locale: null, time_zone: null } },
        },
      },
      {
        request: 'PATCH /auth/me',
        token: '{{aToken}}',
        body: {
          display_name: ' Ada ',
          avatar_url: 'https://cdn.example.com/ada.png',
          locale: 'en-GB',
          time_zone: 'Europe/London',
        },
        expect: {
          status: 200,
          body: {
            person: {
              display_name: 'Ada',
              avatar_url: 'https://cdn.example.com/ada.png',
              locale: 'en-GB',
              time_zone: 'Europe/London',
            },
          },
        },
      },
      {
        request: 'PATCH /auth/me',
        token: '{{aToken}}',
        body: { time_zone: null },
        expect: {
          status: 200,
          body: { person: { display_name: 'Ada', locale: 'en-GB', time_zone: null } },
        },
      },
      {
        request: 'PATCH /auth/me',
        token: '{{aToken}}',
        body: { display_name: 'Changed', time_zone: 'Nowhere/Atlantis' },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'PATCH /auth/me',
        token: '{{aToken}}',
        body: { display_name: 'Changed', avatar_url: 'http://cdn.example.com/a.png' },
        expect: problem(400, 'validation_failed'),
      },
      {
        request: 'PATCH /auth/me',
        token: '{{aToken}}',
        body: { nickname: 'Ada' },
        expect: problem(400, 'validation_failed'),
      },
      { request: 'PATCH /auth/me', body: { locale: 'fr' }, expect: problem(401, 'unauthenticated') },
      {
        request: 'PATCH /auth/me',
        apiKey: '{{t.apiKey}}',
        body: { locale: 'fr' },
        expect: problem(403, 'credential_not_allowed'),
      },
      {
        request: 'GET /auth/me',
        token: '{{aToken}}',
        expect: { status: 200, body: { person: { display_name: 'Ada', time_zone: null } } },
      },
      // The next sign-in's token answer carries it (the SDK's snapshot keeps the person as answered).
      sdkSignIn('b', 't', { email: '{{a_email}}', memoryStorage: true }),
      {
        check: '{{b_signedIn.person}}',
        is: {
          display_name: 'Ada',
          locale: 'en-GB',
          time_zone: null,
          avatar_url: 'https://cdn.example.com/ada.png',
        },
      },
    ],
  },
];
