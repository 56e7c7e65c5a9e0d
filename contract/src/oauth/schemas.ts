import { z } from 'zod';

/**
 * OAuth 2.0 endpoints (RFC 6749 §4.4 client credentials, RFC 7662 introspection, RFC 7009 revocation).
 * Their bodies are `application/x-www-form-urlencoded`, as the RFCs require, and their errors are OAuth's
 * own `{ error, error_description }` (RFC 6749 §5.2), not problem details: the one exception to the API's
 * error format, so that any OAuth client library works against them unchanged.
 */

/**
 * A form parameter. The server's form parser gives a parameter sent more than once as an array, which the
 * handler refuses (`invalid_request`, RFC 6749 §3.2: parameters must not be repeated).
 */
const formParam = z.union([z.string(), z.array(z.string())]).optional();

/**
 * The headers the OAuth endpoints read themselves: `Authorization` (HTTP Basic with the client id and
 * secret, or `Bearer` with an API key), `X-API-Key`, and `Content-Type` (form only).
 */
export const oauthHeaders = {
  authorization: z.string().max(8192).optional(),
  'x-api-key': z.string().max(512).optional(),
  'content-type': z.string().max(256).optional(),
};

/** The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2, OIDC Core §9 `private_key_jwt`). */
export const jwtBearerClientAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Client authentication in the body, when not sent as HTTP Basic: `client_id` + `client_secret`
 * (`client_secret_post`, RFC 6749 §2.3.1), or `client_assertion_type` + `client_assertion` (a JWT signed by
 * one of the application's registered keys, `private_key_jwt`; `client_id`, optional, must then match).
 */
const clientAuthParams = {
  client_id: formParam,
  client_secret: formParam,
  client_assertion_type: formParam,
  client_assertion: formParam,
};

export const oauthTokenBodySchema = z.looseObject({
  /** `client_credentials` (the only grant this endpoint serves). */
  grant_type: formParam,
  /** Space-separated scopes; each must be one of the application's. Without it: all of them. */
  scope: formParam,
  ...clientAuthParams,
});
export type OAuthTokenBody = z.infer<typeof oauthTokenBodySchema>;

export const oauthTokenResponseSchema = z.object({
  /** A JWT (`typ: at+jwt`) signed with the deployment's keys; `sub` is the client id. */
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  /** Seconds until the token expires. */
  expires_in: z.number().int().positive(),
  /** The scopes granted, space-separated. */
  scope: z.string(),
});
export type OAuthTokenResponse = z.infer<typeof oauthTokenResponseSchema>;

/** The error codes of RFC 6749 §5.2 (and RFC 7009 §2.2.1's `unsupported_token_type`). */
export const oauthErrorCodes = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
] as const;
export type OAuthErrorCode = (typeof oauthErrorCodes)[number];

export const oauthErrorSchema = z.object({
  error: z.enum(oauthErrorCodes),
  error_description: z.string().optional(),
});
export type OAuthErrorBody = z.infer<typeof oauthErrorSchema>;

export const oauthIntrospectBodySchema = z.looseObject({
  /** An access token (a user's or an application's) or a refresh token. */
  token: formParam,
  /** `access_token` or `refresh_token`: a hint only; both kinds are tried. */
  token_type_hint: formParam,
  ...clientAuthParams,
});
export type OAuthIntrospectBody = z.infer<typeof oauthIntrospectBodySchema>;

/**
 * RFC 7662 §2.2: `active` always; the rest only for an active token. `token_kind` tells an account's
 * token from an application's (`client`), as `subject.kind` does in decisions.
 */
export const oauthIntrospectionSchema = z.object({
  active: z.boolean(),
  token_type: z.enum(['access_token', 'refresh_token']).optional(),
  token_kind: z.enum(['account', 'client']).optional(),
  scope: z.string().optional(),
  client_id: z.string().optional(),
  sub: z.string().optional(),
  tenant_id: z.string().optional(),
  iss: z.string().optional(),
  aud: z.string().optional(),
  exp: z.number().int().optional(),
  iat: z.number().int().optional(),
  jti: z.string().optional(),
  sid: z.string().optional(),
});
export type OAuthIntrospection = z.infer<typeof oauthIntrospectionSchema>;

export const oauthRevokeBodySchema = oauthIntrospectBodySchema;
export type OAuthRevokeBody = OAuthIntrospectBody;

/** RFC 7009 §2.2: an empty answer, whether or not the token was known. */
export const oauthRevokeResponseSchema = z.object({});

/**
 * An `application/x-www-form-urlencoded` body as the OAuth routes' schemas read it: each parameter a
 * string, a parameter sent more than once an array of its values (which the handlers refuse), for the
 * server's parser and the mock's alike. Null when a name or value is not percent-encoded UTF-8 (a stray
 * `%`, or escapes that decode to invalid UTF-8): `URLSearchParams` would silently put U+FFFD in its place,
 * and a JSON body with such bytes is refused too.
 */
export function formParameters(text: string): Record<string, string | string[]> | null {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = decodeURIComponent((eq < 0 ? '' : pair.slice(eq + 1)).replace(/\+/g, ' '));
    } catch {
      return null;
    }
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return { ...out };
}
