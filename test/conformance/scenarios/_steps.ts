// Steps many scenarios share, as functions that return data (no behaviour: the runner has it).
// Files starting with `_` are not scenarios.
import type { Data, ExpectAnswer, Step, Steps } from '../scenario';

export const ACCESS_TTL = 900;
export const TOLERANCE = 10;
export const PASSWORD = 'correct horse battery staple';
export const GOOGLE_CLIENT_ID = '1234567890-conformance.apps.googleusercontent.com';
export const SIWE = { domain: 'app.example.com', uri: 'https://app.example.com', chain_ids: [1, 8453] };
export const SIX_DIGITS = { $match: '^\\d{6}$' };
/**
 * The deployment operator's platform key (#15) both targets are configured with (by its SHA-256, as
 * `ENFORCER_PLATFORM_API_KEYS` on the server and `platformKeys` on the mock), with every scope.
 */
export const PLATFORM_KEY = `enfp_${'c'.repeat(43)}`;
export const PLATFORM_SCOPES = [
  'platform.tenants.read',
  'platform.tenants.update',
  'platform.tenants.delete',
];

/**
 * A tenant made through self-serve (OTP proof), its owner's token and an owner API key, saved as
 * `as`: `{{as.id}}`, `{{as.code}}`, `{{as.ownerEmail}}`, `{{as.ownerToken}}`, `{{as.apiKey}}`.
 */
export const seedTenant = (as: string): Steps => [
  { let: { [`${as}_owner`]: { $email: 'owner' } } },
  {
    request: 'POST /auth/otp/request',
    body: { email: `{{${as}_owner}}` },
    expect: { status: 200, body: { code: SIX_DIGITS } },
    save: `${as}_otp`,
  },
  {
    request: 'POST /tenants/self-serve',
    body: { name: { $unique: 'Tenant' }, admin_email: `{{${as}_owner}}`, otp: `{{${as}_otp.body.code}}` },
    expect: { status: 201 },
    save: `${as}_created`,
  },
  {
    request: 'POST /api-keys',
    token: `{{${as}_created.body.token}}`,
    body: { name: 'conformance', role: 'owner' },
    expect: { status: 201 },
    save: `${as}_key`,
  },
  {
    let: {
      [as]: {
        id: `{{${as}_created.body.tenant.id}}`,
        code: `{{${as}_created.body.tenant.code}}`,
        ownerEmail: `{{${as}_owner}}`,
        ownerToken: `{{${as}_created.body.token}}`,
        apiKey: `{{${as}_key.body.key}}`,
      },
    },
  },
];

/** An SDK client `client` (no permissions unless `permissions`) signed in with an email code. */
export const sdkSignIn = (
  client: string,
  tenant: string,
  options: { email?: string; permissions?: true; memoryStorage?: true } = {},
): Steps => [
  {
    client,
    ...(options.permissions ? {} : { permissions: false as const }),
    ...(options.memoryStorage ? { memoryStorage: true as const } : {}),
  },
  signIn(client, tenant, options.email),
];

/**
 * Signs the SDK client `client` in to `{{tenant}}` with an email code; the address is `email` (a
 * placeholder) or a fresh one saved as `{{client_email}}`. The snapshot is saved as `{{client_signedIn}}`.
 */
export const signIn = (client: string, tenant: string, email?: string): Steps => {
  const who = email ?? `{{${client}_email}}`;
  return [
    email ? [] : { let: { [`${client}_email`]: { $email: 'user' } } },
    {
      call: `${client}.requestOtp`,
      args: [who, { tenantCode: `{{${tenant}.code}}` }],
      save: `${client}_otp`,
    },
    {
      call: `${client}.loginWithOtp`,
      args: [{ email: who, otp: `{{${client}_otp.code}}`, tenantCode: `{{${tenant}.code}}` }],
      save: `${client}_signedIn`,
    },
  ];
};

/** The client's access token, saved as `{{save}}`. */
export const accessToken = (client: string, save: string): Step => ({
  call: `${client}.getAccessToken`,
  expect: { $type: 'string' },
  save,
});

/** The tenant's accepted sign-in methods become `providers`. */
export const allow = (tenant: string, providers: string[]): Step => ({
  request: `PUT /tenants/{{${tenant}.id}}/auth-provider`,
  apiKey: `{{${tenant}.apiKey}}`,
  body: { providers },
  expect: { status: 200 },
});

export const problem = (status: number, code: string): ExpectAnswer => ({ status, problem: code });

/** A password sign-in of `email` (a value) at `tenant` (the password of `passwordUser` unless given). */
export const passwordLogin = (
  tenant: string,
  email: Data,
  expect: ExpectAnswer | undefined,
  options: { password?: string; save?: string } = {},
): Step => ({
  request: 'POST /auth/login',
  body: {
    provider: 'password',
    email,
    password: options.password ?? PASSWORD,
    tenant_code: `{{${tenant}.code}}`,
  },
  ...(expect ? { expect } : {}),
  ...(options.save ? { save: options.save } : {}),
});

/** A tenant `as` taking passwords, and a person registered there with one (`{{as_email}}`). */
export const passwordUser = (as: string): Steps => [
  seedTenant(as),
  allow(as, ['email_otp', 'password', 'magic_link']),
  { let: { [`${as}_email`]: { $email: 'pwd' } } },
  {
    request: 'POST /auth/register',
    body: {
      provider: 'password',
      email: `{{${as}_email}}`,
      password: PASSWORD,
      tenant_code: `{{${as}.code}}`,
    },
    expect: { status: 202, body: { $exactly: { accepted: true, next: 'login' } } },
  },
];

/**
 * `passwordUser(as)` who signed in with a password and turned TOTP on: `{{as_secret}}`,
 * `{{as_recovery.body.recovery_codes}}`.
 */
export const mfaUser = (as: string): Steps => [
  passwordUser(as),
  passwordLogin(as, `{{${as}_email}}`, { status: 200 }, { save: `${as}_login` }),
  {
    request: 'POST /auth/mfa/totp/enroll',
    token: `{{${as}_login.body.token}}`,
    expect: {
      status: 200,
      body: {
        // otplib's layout on both sides: issuer:label, then only the secret and the issuer (defaults left out).
        otpauth_uri: { $match: '^otpauth://totp/[^?]+(:|%3A)[^?]+\\?secret=[A-Z2-7]+=*&issuer=[^&]+$' },
        qr_code: { $match: '^data:image/png;base64,' },
      },
    },
    save: `${as}_enrolled`,
  },
  { let: { [`${as}_secret`]: `{{${as}_enrolled.body.secret}}` } },
  {
    request: 'POST /auth/mfa/totp/confirm',
    token: `{{${as}_login.body.token}}`,
    body: { code: { $totp: `{{${as}_secret}}` } },
    expect: { status: 200, body: { recovery_codes: { $length: 10 } } },
    save: `${as}_recovery`,
  },
];

/** A tenant accepting `providers`, with Google and SIWE configured through `PATCH /tenants/{id}`. */
export const methodTenant = (as: string, providers: string[]): Steps => [
  seedTenant(as),
  allow(as, providers),
  {
    request: `PATCH /tenants/{{${as}.id}}`,
    apiKey: `{{${as}.apiKey}}`,
    body: { auth_settings: { google: { client_ids: [GOOGLE_CLIENT_ID] }, siwe: SIWE } },
    expect: { status: 200, body: { auth_settings: { siwe: SIWE } } },
  },
];

/** A Google sign-in with a fresh proof (`claims` override the ID token's). */
export const googleLogin = (
  tenant: string,
  claims: Record<string, Data>,
  expect: ExpectAnswer,
  save?: string,
) => [{ let: { _google: { $googleProof: claims } } }, googleLoginWith(tenant, '_google', expect, save)];

/** A Google sign-in with the proof saved as `proof` (`{ token, nonce }`). */
export const googleLoginWith = (
  tenant: string,
  proof: string,
  expect: ExpectAnswer,
  save?: string,
): Step => ({
  request: 'POST /auth/login',
  body: {
    provider: 'google',
    token: `{{${proof}.token}}`,
    nonce: `{{${proof}.nonce}}`,
    tenant_code: `{{${tenant}.code}}`,
  },
  expect,
  ...(save ? { save } : {}),
});

/** A SIWE sign-in with the proof saved as `proof`. */
export const siweLogin = (tenant: string, proof: string, expect: ExpectAnswer, save?: string): Step => ({
  request: 'POST /auth/login',
  body: {
    provider: 'siwe',
    message: `{{${proof}.message}}`,
    signature: `{{${proof}.signature}}`,
    tenant_code: `{{${tenant}.code}}`,
  },
  expect,
  ...(save ? { save } : {}),
});

/** A tenant accepting Privy (and email codes) with the settings of the `privyApp` saved as `app`. */
export const privyTenant = (as: string, app: string): Steps => [
  seedTenant(as),
  allow(as, ['email_otp', 'privy']),
  {
    request: `PATCH /tenants/{{${as}.id}}`,
    apiKey: `{{${as}.apiKey}}`,
    body: { auth_settings: { privy: `{{${app}.settings}}` } },
    expect: { status: 200, body: { auth_settings: { privy: { app_id: `{{${app}.appId}}` } } } },
  },
];

/** A Privy sign-in with `token` (a value: a placeholder or a `$privyToken`). */
export const privyLogin = (tenant: string, token: Data, expect: ExpectAnswer, save?: string): Step => ({
  request: 'POST /auth/login',
  body: { provider: 'privy', token, tenant_code: `{{${tenant}.code}}` },
  expect,
  ...(save ? { save } : {}),
});
