import { z } from 'zod';
import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, tenantCodeSchema, timestampSchema } from '../common/schemas';
import { identitySchema } from './identities';
import { oauthCodeChallengeSchema, oauthCodeVerifierSchema, oauthExchangeCodeSchema } from './oauth-login';
import { oauthProviderNameSchema, oauthSettingsSchema, putOAuthSettingsBodySchema } from './oauth-settings';
import { tokenResponseSchema } from './schemas';

export * from './oauth-settings';

/**
 * Social sign-in by the OAuth 2.0 authorization code flow with PKCE (S256), `state` and an OpenID
 * Connect `nonce`. A tenant configures its providers (a generic OpenID Provider found by its issuer's
 * discovery document, or the Google preset) and the exact URLs the flow may return to. The browser goes
 * to `GET /auth/oauth/{provider}/authorize`, the provider sends it back to
 * `GET /auth/oauth/{provider}/callback`, which redirects to the tenant's URL with a one-time `code`;
 * the app trades it at `POST /auth/oauth/exchange` for the token pair (tokens never travel in a URL).
 */

export const oauthIntentSchema = z.enum(['sign_in', 'link']);
export type OAuthIntent = z.infer<typeof oauthIntentSchema>;

export const oauthProviderParamsSchema = z.object({ provider: oauthProviderNameSchema });

/** `GET /auth/oauth/{provider}/authorize`: a browser navigation (sign-in only: linking needs the POST with a token). */
export const oauthAuthorizeQuerySchema = z.strictObject({
  tenant: tenantCodeSchema,
  redirect_uri: z.string().max(2048),
  intent: z.literal('sign_in').optional(),
  /**
   * The S256 challenge of a verifier the app keeps (its server session, the browser's sessionStorage) and
   * presents at the exchange: the one-time code is bound to it. Required.
   */
  code_challenge: oauthCodeChallengeSchema,
  /** Only `S256` (the default). */
  code_challenge_method: z.literal('S256').optional(),
});

/** `POST /auth/oauth/{provider}/authorize`: the same for single-page apps, answering the URL; `link` needs a user token. */
export const oauthAuthorizeBodySchema = z.strictObject({
  tenant_code: tenantCodeSchema,
  redirect_uri: z.string().max(2048),
  intent: oauthIntentSchema.optional(),
  /** As for the GET: the S256 challenge of the verifier the exchange must present. Required. */
  code_challenge: oauthCodeChallengeSchema,
  code_challenge_method: z.literal('S256').optional(),
});
export type OAuthAuthorizeBody = z.infer<typeof oauthAuthorizeBodySchema>;

export const oauthAuthorizeResponseSchema = z.object({
  authorization_url: z.string(),
  expires_at: timestampSchema,
});
export type OAuthAuthorizeResponse = z.infer<typeof oauthAuthorizeResponseSchema>;

/** What the provider sends back (RFC 6749 4.1.2, RFC 9207 `iss`); unknown parameters are ignored. */
export const oauthCallbackQuerySchema = z.looseObject({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  iss: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(1024).optional(),
});

/**
 * What a provider posts back with `response_mode=form_post` (Apple): the same parameters as the query,
 * and Apple's `user` (JSON with the person's name, sent on the first sign-in only, not signed).
 */
export const oauthCallbackFormSchema = oauthCallbackQuerySchema.extend({
  user: z.string().max(2048).optional(),
});

export const oauthExchangeBodySchema = z.strictObject({
  code: oauthExchangeCodeSchema,
  /** The verifier whose S256 challenge started the flow; a wrong one is `401 oauth_code_verifier_invalid` and spends the code. */
  code_verifier: oauthCodeVerifierSchema,
});
export type OAuthExchangeBody = z.infer<typeof oauthExchangeBodySchema>;

/** A link's exchange: the identity now bound to the signed-in person (`created` false when it already was). */
export const oauthLinkResultSchema = z.object({
  intent: z.literal('link'),
  identity: identitySchema,
  created: z.boolean(),
});
export type OAuthLinkResult = z.infer<typeof oauthLinkResultSchema>;

const meta = routeMeta('Auth');
const tenantMeta = routeMeta('Tenants');

export const oauthSignInContract = c.router({
  getSettings: {
    method: 'GET',
    path: '/tenants/:id/oauth',
    summary: "The tenant's OAuth / OpenID Connect providers and allowed redirect URLs (no secrets)",
    pathParams: idParamsSchema,
    responses: { 200: oauthSettingsSchema, ...problems(401, 403, 404) },
    metadata: tenantMeta({ auth: 'user_or_api_key', permission: 'tenants.read' }),
  },
  putSettings: {
    method: 'PUT',
    path: '/tenants/:id/oauth',
    summary: "Set the tenant's OAuth providers and allowed redirect URLs (replaced as a whole)",
    description:
      'A provider sent without `client_secret` keeps the secret stored under its name (same kind and issuer); secrets are stored encrypted and never answered.',
    pathParams: idParamsSchema,
    body: putOAuthSettingsBodySchema,
    responses: { 200: oauthSettingsSchema, ...problems(401, 403, 404) },
    metadata: tenantMeta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  authorize: {
    method: 'GET',
    path: '/auth/oauth/:provider/authorize',
    summary: "Start social sign-in: redirects to the provider's authorization page",
    description:
      "`redirect_uri` must be one of the tenant's OAuth redirect URLs exactly, or the answer is `400 redirect_uri_not_allowed` (no redirect). `code_challenge` (S256) binds the flow's one-time code to the verifier the app keeps.",
    pathParams: oauthProviderParamsSchema,
    query: oauthAuthorizeQuerySchema,
    responses: { 302: c.noBody(), ...problems(403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  authorizeUrl: {
    method: 'POST',
    path: '/auth/oauth/:provider/authorize',
    summary: "Start social sign-in or linking: answers the provider's authorization URL",
    pathParams: oauthProviderParamsSchema,
    body: oauthAuthorizeBodySchema,
    responses: { 200: oauthAuthorizeResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'none', optionalUser: true }),
  },
  callback: {
    method: 'GET',
    path: '/auth/oauth/:provider/callback',
    summary: 'Where the provider returns: redirects to the app with a one-time code (or an error)',
    description:
      'An unknown, spent or expired `state` is `400 oauth_state_invalid` (there is nowhere safe to redirect to). Otherwise the browser goes back to the redirect URL with `code` (or `error`).',
    pathParams: oauthProviderParamsSchema,
    query: oauthCallbackQuerySchema,
    responses: { 302: c.noBody(), ...problems(404) },
    metadata: meta({ auth: 'none' }),
  },
  callbackForm: {
    method: 'POST',
    path: '/auth/oauth/:provider/callback',
    contentType: 'application/x-www-form-urlencoded',
    summary: 'Where a provider returns with response_mode=form_post (Apple): the same as the GET',
    description:
      "Form-encoded, as the provider's page posts it. Apple's `user` field (the name, first sign-in only) names a person created by this sign-in.",
    pathParams: oauthProviderParamsSchema,
    body: oauthCallbackFormSchema,
    responses: { 302: c.noBody(), ...problems(404) },
    metadata: meta({ auth: 'none' }),
  },
  exchange: {
    method: 'POST',
    path: '/auth/oauth/exchange',
    summary: 'Trade the one-time code for the token pair (sign-in) or the linked identity (link)',
    description:
      'Single use, 2 minutes, and only with the `code_verifier` whose S256 challenge started the flow (`401 oauth_code_verifier_invalid` otherwise, and the code is spent). A sign-in answers the token pair, or `401 mfa_required` when the person has a second factor; a link needs the user token of the person who started it and answers `201`.',
    body: oauthExchangeBodySchema,
    responses: {
      200: tokenResponseSchema,
      201: oauthLinkResultSchema,
      ...problems(401, 403, 404, 409),
    },
    metadata: meta({ auth: 'none', optionalUser: true }),
  },
});
