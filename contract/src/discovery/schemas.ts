import { z } from 'zod';

/** A public JSON Web Key (RFC 7517). Other members a key may carry are kept. */
export const jwkSchema = z.looseObject({
  kty: z.string(),
  kid: z.string(),
  alg: z.string(),
  use: z.literal('sig'),
  crv: z.string().optional(),
  x: z.string().optional(),
  y: z.string().optional(),
  n: z.string().optional(),
  e: z.string().optional(),
});
export type Jwk = z.infer<typeof jwkSchema>;

/** The published keys: the current one, the next (pre-published) and recently retired ones. */
export const jwksSchema = z.object({ keys: z.array(jwkSchema) });
export type Jwks = z.infer<typeof jwksSchema>;

/** An OpenID-style discovery document (the subset that applies: Enforcer is not an OAuth server). */
export const openIdConfigurationSchema = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  /** `GET /auth/me`. */
  userinfo_endpoint: z.string(),
  response_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
  claims_supported: z.array(z.string()),
  /** `POST /authorize` and `POST /authorize/filter` (Enforcer's own). */
  authorization_decision_endpoint: z.string(),
  authorization_filter_endpoint: z.string(),
});
export type OpenIdConfiguration = z.infer<typeof openIdConfigurationSchema>;
