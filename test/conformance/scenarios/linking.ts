// Linked identities: list, link, unlink.
import type { Scenario } from '../scenario';
import { accessToken, methodTenant, problem, sdkSignIn, seedTenant, siweLogin } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'linking: list, link (201, then 200), 409 identity_already_linked, unlink, 404, 409 last_identity',
    steps: [
      methodTenant('t', ['email_otp', 'google', 'siwe']),
      sdkSignIn('a', 't'),
      accessToken('a', 'token'),
      { let: { sub: { $googleSub: true } } },
      {
        request: 'POST /auth/identities/google',
        token: '{{token}}',
        body: { $googleProof: { sub: '{{sub}}' } },
        expect: { status: 201 },
        save: 'google',
      },
      { advanceClock: 1 }, // the list is oldest first (ties by id)
      { siwe: '{{t.code}}', wallet: 'w', save: 'wallet' },
      {
        request: 'POST /auth/identities/siwe',
        token: '{{token}}',
        body: { message: '{{wallet.message}}', signature: '{{wallet.signature}}' },
        expect: { status: 201, body: { provider: 'siwe', subject: '{{wallet.address}}', email: null } },
      },
      {
        request: 'GET /auth/identities',
        token: '{{token}}',
        expect: {
          status: 200,
          body: {
            data: [
              { provider: 'email_otp', id: null, subject: '{{a_email}}', email: '{{a_email}}' },
              { provider: 'google' },
              { provider: 'siwe' },
            ],
          },
        },
      },

      // someone else cannot take the Google account or the wallet
      sdkSignIn('stranger', 't'),
      accessToken('stranger', 'strangerToken'),
      {
        request: 'POST /auth/identities/google',
        token: '{{strangerToken}}',
        body: { $googleProof: { sub: '{{sub}}' } },
        expect: problem(409, 'identity_already_linked'),
      },
      { siwe: '{{t.code}}', wallet: 'w', save: 'stolen' },
      {
        request: 'POST /auth/identities/siwe',
        token: '{{strangerToken}}',
        body: { message: '{{stolen.message}}', signature: '{{stolen.signature}}' },
        expect: problem(409, 'identity_already_linked'),
      },
      // a proof that fails is refused as at sign-in
      {
        request: 'POST /auth/identities/google',
        token: '{{token}}',
        body: { $googleProof: { aud: 'nope' } },
        expect: problem(401, 'provider_token_invalid'),
      },

      // unlink: another person's id is a 404 like an unknown one
      {
        request: 'DELETE /auth/identities/{{google.body.id}}',
        token: '{{strangerToken}}',
        expect: problem(404, 'not_found'),
      },
      { request: 'DELETE /auth/identities/{{google.body.id}}', token: '{{token}}', expect: { status: 204 } },
      {
        request: 'DELETE /auth/identities/{{google.body.id}}',
        token: '{{token}}',
        expect: problem(404, 'not_found'),
      },
      {
        request: 'GET /auth/identities',
        token: '{{token}}',
        expect: { body: { data: { $pluck: 'provider', is: ['email_otp', 'siwe'] } } },
      },

      // a wallet-only person cannot remove their only way in
      { siwe: '{{t.code}}', save: 'soloProof' },
      siweLogin('t', 'soloProof', { status: 200 }, 'solo'),
      { request: 'GET /auth/identities', token: '{{solo.body.token}}', save: 'soloList' },
      {
        request: 'DELETE /auth/identities/{{soloList.body.data[0].id}}',
        token: '{{solo.body.token}}',
        expect: problem(409, 'last_identity'),
      },
      // linking a method the tenant does not accept: 403 provider_not_allowed
      seedTenant('emailOnly'),
      sdkSignIn('elsewhere', 'emailOnly'),
      accessToken('elsewhere', 'elsewhereToken'),
      {
        request: 'POST /auth/identities/google',
        token: '{{elsewhereToken}}',
        body: { $googleProof: {} },
        expect: problem(403, 'provider_not_allowed'),
      },
    ],
  },
];
