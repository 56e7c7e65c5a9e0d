// Sign in with Google (ID tokens signed by the Google the target trusts).
import type { Scenario } from '../scenario';
import {
  accessToken,
  allow,
  googleLogin,
  googleLoginWith,
  methodTenant,
  problem,
  sdkSignIn,
  seedTenant,
  TOLERANCE,
} from './_steps';

const INVALID = problem(401, 'provider_token_invalid');

export const scenarios: Scenario[] = [
  {
    name: 'google: unconfigured is 403 provider_not_configured; a new Google account signs up with its verified email, then in again by subject',
    steps: [
      seedTenant('bare'),
      allow('bare', ['email_otp', 'google']),
      googleLogin('bare', {}, problem(403, 'provider_not_configured')),

      methodTenant('t', ['email_otp', 'google']),
      { let: { sub: { $googleSub: true }, who: { $email: 'google' } } },
      googleLogin(
        't',
        { sub: '{{sub}}', email: '{{who}}', email_verified: true },
        { status: 200, body: { person: { email: '{{who}}', email_verified: true } } },
        'first',
      ),
      {
        request: 'GET /auth/me',
        token: '{{first.body.token}}',
        expect: { body: { session: { amr: ['google'] } } },
      },
      // the issuer without https is Google too; a changed email still finds the person by subject
      googleLogin(
        't',
        { sub: '{{sub}}', email: { $email: 'changed' }, email_verified: true, iss: 'accounts.google.com' },
        { status: 200, body: { person: { id: '{{first.body.person.id}}' } } },
        'again',
      ),
      {
        request: 'GET /auth/identities',
        token: '{{again.body.token}}',
        expect: {
          body: {
            data: [
              { provider: 'email_otp', subject: '{{who}}' },
              { provider: 'google', subject: 'https://accounts.google.com|{{sub}}' },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'google: a nonce works once, and wrong nonce, audience, issuer, expiry and signature are 401 provider_token_invalid',
    steps: [
      methodTenant('t', ['email_otp', 'google']),
      { let: { proof: { $googleProof: {} } } },
      googleLoginWith('t', 'proof', { status: 200 }),
      googleLoginWith('t', 'proof', INVALID),
      { let: { wrongNonce: { $googleProof: {} } } },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'google',
          token: '{{wrongNonce.token}}',
          nonce: { $hex: 16 },
          tenant_code: '{{t.code}}',
        },
        expect: INVALID,
      },
      googleLogin('t', { aud: 'someone-else' }, INVALID),
      googleLogin('t', { iss: 'https://evil.example.com' }, INVALID),
      googleLogin('t', { iat: { $nowSeconds: -7200 }, exp: { $nowSeconds: -TOLERANCE - 5 } }, INVALID),
      // still inside the clock tolerance: accepted
      googleLogin('t', { iat: { $nowSeconds: -7200 }, exp: { $nowSeconds: -2 } }, { status: 200 }),
      { let: { forged: { $googleProof: {} } } },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'google',
          token: { $tamperSignature: '{{forged.token}}' },
          nonce: '{{forged.nonce}}',
          tenant_code: '{{t.code}}',
        },
        expect: INVALID,
      },
    ],
  },
  {
    name: 'google: does not take over a person by email (409 email_in_use); once linked, Google signs in as them',
    steps: [
      methodTenant('t', ['email_otp', 'google']),
      sdkSignIn('a', 't'),
      { let: { sub: { $googleSub: true } } },
      googleLogin(
        't',
        { sub: '{{sub}}', email: '{{a_email}}', email_verified: true },
        problem(409, 'email_in_use'),
      ),
      accessToken('a', 'token'),
      {
        request: 'POST /auth/identities/google',
        token: '{{token}}',
        body: { $googleProof: { sub: '{{sub}}', email: '{{a_email}}', email_verified: true } },
        expect: {
          status: 201,
          body: { provider: 'google', subject: 'https://accounts.google.com|{{sub}}', email: '{{a_email}}' },
        },
        save: 'link',
      },
      {
        request: 'POST /auth/identities/google',
        token: '{{token}}',
        body: { $googleProof: { sub: '{{sub}}' } },
        expect: { status: 200, body: { id: '{{link.body.id}}' } },
      },
      googleLogin(
        't',
        { sub: '{{sub}}', email: '{{a_email}}', email_verified: true },
        { status: 200, body: { person: { id: '{{a_signedIn.person.id}}' } } },
      ),
    ],
  },
];
