// Sign-In with Ethereum (wallets made here; the runner signs the messages).
import type { Scenario } from '../scenario';
import { allow, methodTenant, problem, SIWE, seedTenant, siweLogin, TOLERANCE } from './_steps';

export const scenarios: Scenario[] = [
  {
    name: 'siwe: the nonce route says what to sign; a wallet signs up without an email, then in again by checksummed address',
    steps: [
      seedTenant('bare'),
      {
        request: 'POST /auth/siwe/nonce',
        body: { tenant_code: '{{bare.code}}' },
        expect: problem(403, 'provider_not_allowed'),
      },
      allow('bare', ['email_otp', 'siwe']),
      {
        request: 'POST /auth/siwe/nonce',
        body: { tenant_code: '{{bare.code}}' },
        expect: problem(403, 'provider_not_configured'),
      },
      {
        request: 'POST /auth/siwe/nonce',
        body: { tenant_code: 'AAAA-BBBB-CCCC' },
        expect: problem(404, 'not_found'),
      },

      methodTenant('t', ['email_otp', 'siwe']),
      {
        request: 'POST /auth/siwe/nonce',
        body: { tenant_code: { $lower: '{{t.code}}' } },
        expect: {
          status: 200,
          body: { nonce: { $match: '^[0-9a-f]{64}$' }, ...SIWE, expires_at: { $msFromNow: 300_000 } },
        },
      },
      { siwe: '{{t.code}}', wallet: 'w', save: 'proof' },
      siweLogin('t', 'proof', { status: 200, body: { person: { email: null } } }, 'first'),
      {
        request: 'GET /auth/me',
        token: '{{first.body.token}}',
        expect: { body: { session: { amr: ['swk'] } } },
      },
      {
        request: 'GET /auth/identities',
        token: '{{first.body.token}}',
        expect: { body: { data: [{ provider: 'siwe', subject: '{{proof.address}}' }] } },
      },
      // the nonce was spent
      siweLogin('t', 'proof', problem(401, 'challenge_invalid')),
      { siwe: '{{t.code}}', wallet: 'w', save: 'again' },
      siweLogin('t', 'again', { body: { person: { id: '{{first.body.person.id}}' } } }),
    ],
  },
  {
    name: 'siwe: wrong domain, uri, chain, expiry and signer are 401 invalid_credentials, and spend the nonce',
    steps: [
      methodTenant('t', ['email_otp', 'siwe']),
      {
        each: [
          { domain: 'evil.example.com' },
          { uri: 'https://evil.example.com/login' },
          { chainId: 137 },
          { expiresIn: -(TOLERANCE + 5) },
          { notBeforeIn: 3600 },
          { issuedIn: 3600 },
        ],
        as: 'overrides',
        steps: [
          { siwe: '{{t.code}}', overrides: '{{overrides}}', save: 'bad' },
          siweLogin('t', 'bad', problem(401, 'invalid_credentials')),
          siweLogin('t', 'bad', problem(401, 'challenge_invalid')),
        ],
      },
      { siwe: '{{t.code}}', save: 'proof' },
      { wallet: 'other' },
      { sign: '{{proof.message}}', wallet: 'other', save: 'otherSignature' },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'siwe',
          message: '{{proof.message}}',
          signature: '{{otherSignature}}',
          tenant_code: '{{t.code}}',
        },
        expect: problem(401, 'invalid_credentials'),
      },
      {
        request: 'POST /auth/login',
        body: {
          provider: 'siwe',
          message: 'hello',
          signature: '{{proof.signature}}',
          tenant_code: '{{t.code}}',
        },
        expect: problem(401, 'invalid_credentials'),
      },
      // a nonce is the tenant's own
      methodTenant('elsewhere', ['email_otp', 'siwe']),
      { siwe: '{{elsewhere.code}}', save: 'foreign' },
      siweLogin('t', 'foreign', problem(401, 'challenge_invalid')),
    ],
  },
];
