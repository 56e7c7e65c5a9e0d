import { c, routeMeta } from '../common/route';
import {
  oauthErrorSchema,
  oauthHeaders,
  oauthIntrospectBodySchema,
  oauthIntrospectionSchema,
  oauthRevokeBodySchema,
  oauthRevokeResponseSchema,
  oauthTokenBodySchema,
  oauthTokenResponseSchema,
} from './schemas';

const meta = routeMeta('OAuth');
const form = 'application/x-www-form-urlencoded';
/** OAuth's error format (RFC 6749 §5.2), not problem details, on these routes only. */
const oauthErrors = { 400: oauthErrorSchema, 401: oauthErrorSchema } as const;

/**
 * The OAuth 2.0 token services (#18). Each authenticates its client itself (`clientAuthentication`): an
 * application by HTTP Basic or `client_id`/`client_secret` in the form; introspection and revocation also
 * take an API key.
 */
export const oauthContract = c.router({
  token: {
    method: 'POST',
    path: '/oauth/token',
    contentType: form,
    headers: oauthHeaders,
    summary: 'Client credentials grant (RFC 6749 §4.4): an application obtains an access token of its own',
    description:
      "Form-encoded. Client authentication by HTTP Basic (`client_secret_basic`), `client_id` + `client_secret` in the body, or `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` + `client_assertion` (`private_key_jwt`, RFC 7523 §2.2: a JWT with `iss` = `sub` = the client id, `aud` = this endpoint's URL or the issuer, a short `exp` and a single-use `jti`, signed by a registered key). Errors are OAuth errors (RFC 6749 §5.2), not problem details.",
    body: oauthTokenBodySchema,
    responses: { 200: oauthTokenResponseSchema, ...oauthErrors },
    metadata: meta({ auth: 'none', clientAuthentication: true }),
  },
  introspect: {
    method: 'POST',
    path: '/oauth/introspect',
    contentType: form,
    headers: oauthHeaders,
    summary: 'Token introspection (RFC 7662): is this access or refresh token active, and whose is it',
    description:
      'Authenticated by an API key or an application of the tenant. Tokens of another tenant, unknown, expired or revoked tokens are all `{ "active": false }`.',
    body: oauthIntrospectBodySchema,
    responses: { 200: oauthIntrospectionSchema, ...oauthErrors },
    metadata: meta({ auth: 'none', clientAuthentication: true }),
  },
  revoke: {
    method: 'POST',
    path: '/oauth/revoke',
    contentType: form,
    headers: oauthHeaders,
    summary: 'Token revocation (RFC 7009): end a refresh token (its session) or an access token',
    description:
      'Authenticated by an API key (any token of its tenant) or an application (its own tokens). Answers 200 whether or not the token was known.',
    body: oauthRevokeBodySchema,
    responses: { 200: oauthRevokeResponseSchema, ...oauthErrors },
    metadata: meta({ auth: 'none', clientAuthentication: true }),
  },
});
