import { z } from 'zod';
import { magicLinkRedirectUrlSchema } from './magic-link';

/**
 * A tenant's social sign-in providers and redirect URLs, as set (`PUT /tenants/{id}/oauth`, or with the
 * accepted methods at `PUT /tenants/{id}/auth-provider`) and answered. Apart from the flow's routes
 * (oauth.ts) so the tenants' schemas can take them without importing the token answers.
 */

/** The name a tenant gives a provider, used in the flow's paths: `google`, `okta`, `corp_sso`. */
export const oauthProviderNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a provider name: lower-case letters, digits and _, up to 32');

/**
 * `google`: the preset (issuer https://accounts.google.com); `oidc`: any OpenID Provider by its issuer;
 * `github`: GitHub (OAuth 2.0, not OpenID Connect: the user and its verified primary email from GitHub's API);
 * `microsoft`: Microsoft Entra ID / personal accounts (`microsoft_tenant`: `common`, `organizations`,
 * `consumers` or one directory's id), the multi-tenant issuer checked against the token's own `tid`;
 * `apple`: Sign in with Apple (the client secret an ES256 JWT made from `apple_team_id`, `apple_key_id` and
 * `apple_private_key`; the answer comes back as a form POST; the name only on the first sign-in).
 */
export const oauthProviderKinds = ['oidc', 'google', 'github', 'microsoft', 'apple'] as const;
export const oauthProviderKindSchema = z.enum(oauthProviderKinds);
export type OAuthProviderKind = z.infer<typeof oauthProviderKindSchema>;

/** The issuer of the Google preset. */
export const GOOGLE_OIDC_ISSUER = 'https://accounts.google.com';
/** What identities signed in with the GitHub preset are qualified by (`https://github.com|<user id>`). */
export const GITHUB_ISSUER = 'https://github.com';

/** Apple's issuer. */
export const APPLE_ISSUER = 'https://appleid.apple.com';

/** Microsoft's sign-in origin. */
export const MICROSOFT_LOGIN = 'https://login.microsoftonline.com';

/** The kinds whose issuer is fixed by the preset (sending another one is refused). */
const presetIssuers: Partial<Record<OAuthProviderKind, string>> = {
  google: GOOGLE_OIDC_ISSUER,
  github: GITHUB_ISSUER,
  microsoft: MICROSOFT_LOGIN,
  apple: APPLE_ISSUER,
};

/** Apple's ten-character identifiers (a team id, a key id). */
const appleIdSchema = z.string().regex(/^[A-Z0-9]{10}$/, 'ten upper-case letters and digits');

/** A PKCS #8 PEM private key (Apple's `.p8` file, as downloaded). */
const applePrivateKeySchema = z
  .string()
  .max(4096)
  .regex(
    /^\s*-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\s]+-----END PRIVATE KEY-----\s*$/,
    'the .p8 file Apple gave: -----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY-----',
  );

const microsoftTenantIdSchema = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'a Microsoft tenant id (a GUID, lower case)',
  );

/** Who may sign in with Microsoft: any directory and personal accounts, any directory, personal only, or one directory. */
export const microsoftTenantSchema = z.union([
  z.enum(['common', 'organizations', 'consumers']),
  microsoftTenantIdSchema,
]);

/** An issuer identifier: https (http only on loopback, for development and tests), no query or fragment. */
export const oauthIssuerSchema = z
  .url({ protocol: /^https?$/ })
  .max(512)
  .refine((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return (url.protocol === 'https:' || loopback) && !url.search && !url.hash && !url.username;
  }, 'an https issuer URL (http only on localhost), without query, fragment or credentials');

const scopeSchema = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/, 'an OAuth scope token');

/** One provider as an admin writes it. `client_secret` is write-only: stored encrypted, never answered. */
export const oauthProviderInputSchema = z
  .strictObject({
    name: oauthProviderNameSchema,
    kind: oauthProviderKindSchema,
    /** Required for `oidc`; for `google` it is Google's and may be left out. */
    issuer: oauthIssuerSchema.optional(),
    client_id: z.string().min(1).max(256),
    /**
     * The client secret. Left out: the secret stored for this provider name is kept (when its kind and
     * issuer are unchanged); `null`: the client is public (PKCE only, `token_endpoint_auth: none`).
     */
    client_secret: z.string().min(1).max(1024).nullable().optional(),
    /**
     * Default: `openid email profile` (`openid` is always sent to OpenID providers); for `github`,
     * `read:user user:email` (`user:email` is always sent: the verified primary email is read with it).
     */
    scopes: z.array(scopeSchema).max(20).optional(),
    /** How the client authenticates at the token endpoint; default `client_secret_basic` (`none` without a secret). */
    token_endpoint_auth: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
    /** `apple` only: the Apple Developer team id. */
    apple_team_id: appleIdSchema.optional(),
    /** `apple` only: the id of the Sign in with Apple key. */
    apple_key_id: appleIdSchema.optional(),
    /**
     * `apple` only, write-only like `client_secret`: the key's PEM (`.p8`), stored encrypted; the client
     * secret is an ES256 JWT signed with it at each code exchange. Left out: the stored key is kept.
     */
    apple_private_key: applePrivateKeySchema.optional(),
    /** `microsoft` only: the sign-in audience; default `common`. */
    microsoft_tenant: microsoftTenantSchema.optional(),
    /** `microsoft` only: accept only tokens of these directories (`tid`); empty or left out: any. */
    allowed_tenant_ids: z.array(microsoftTenantIdSchema).max(100).optional(),
  })
  .refine(
    (p) => p.kind === 'microsoft' || (p.microsoft_tenant === undefined && p.allowed_tenant_ids === undefined),
    {
      message: 'microsoft_tenant and allowed_tenant_ids are for kind microsoft',
      path: ['microsoft_tenant'],
    },
  )
  .refine((p) => p.kind !== 'oidc' || p.issuer !== undefined, {
    message: 'an oidc provider needs its issuer',
    path: ['issuer'],
  })
  .refine(
    (p) =>
      presetIssuers[p.kind] === undefined || p.issuer === undefined || p.issuer === presetIssuers[p.kind],
    { message: "a preset's issuer is fixed: leave it out", path: ['issuer'] },
  )
  .refine(
    (p) =>
      p.kind === 'apple'
        ? p.apple_team_id !== undefined && p.apple_key_id !== undefined && p.client_secret === undefined
        : p.apple_team_id === undefined && p.apple_key_id === undefined && p.apple_private_key === undefined,
    {
      message:
        'apple needs apple_team_id and apple_key_id (and apple_private_key, once) instead of client_secret; the apple_ fields are for kind apple',
      path: ['apple_team_id'],
    },
  )
  .refine((p) => p.kind !== 'apple' || p.token_endpoint_auth === undefined, {
    message: 'Apple takes its client secret JWT in the token request body: leave token_endpoint_auth out',
    path: ['token_endpoint_auth'],
  })
  .refine((p) => p.kind !== 'github' || p.client_secret !== null, {
    message: 'GitHub needs the client secret (it has no public clients)',
    path: ['client_secret'],
  })
  .refine((p) => p.kind !== 'github' || p.token_endpoint_auth !== 'none', {
    message: 'GitHub needs the client secret (it has no public clients)',
    path: ['token_endpoint_auth'],
  });
export type OAuthProviderInput = z.infer<typeof oauthProviderInputSchema>;

/** One provider as answered: the secret only as whether one is stored. */
export const oauthProviderSchema = z.object({
  name: z.string(),
  kind: oauthProviderKindSchema,
  issuer: z.string(),
  client_id: z.string(),
  client_secret_set: z.boolean(),
  scopes: z.array(z.string()),
  token_endpoint_auth: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
  /** `apple` only (the private key is answered as `client_secret_set`). */
  apple_team_id: z.string().optional(),
  /** `apple` only. */
  apple_key_id: z.string().optional(),
  /** `microsoft` only. */
  microsoft_tenant: z.string().optional(),
  /** `microsoft` only. */
  allowed_tenant_ids: z.array(z.string()).optional(),
});
export type OAuthProvider = z.infer<typeof oauthProviderSchema>;

/** `GET`/`PUT /tenants/{id}/oauth`. */
export const oauthSettingsSchema = z.object({
  providers: z.array(oauthProviderSchema),
  /** Where the flow may return to, compared exactly (scheme, host, port, path and query). */
  redirect_urls: z.array(z.string()),
});
export type OAuthSettings = z.infer<typeof oauthSettingsSchema>;

export const putOAuthSettingsBodySchema = z.strictObject({
  providers: z
    .array(oauthProviderInputSchema)
    .max(10)
    .refine(
      (list) => new Set(list.map((p) => p.name)).size === list.length,
      'provider names must not repeat',
    ),
  redirect_urls: z
    .array(magicLinkRedirectUrlSchema)
    .max(10)
    .refine((list) => new Set(list).size === list.length, 'redirect URLs must not repeat'),
});
export type PutOAuthSettingsBody = z.infer<typeof putOAuthSettingsBodySchema>;
