import { z } from 'zod';
import { actorClaimSchema } from '../impersonation/schemas';

/**
 * The claims of an Enforcer access token (`typ: at+jwt`, ES256; JWT names, snake_case), defined once: the
 * server mints and verifies them with this schema, the browser SDK reads them, the Node verifier checks
 * them offline, and the mock mints the same shape.
 */
export const accessTokenClaimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  /** The account id. */
  sub: z.string(),
  person_id: z.string(),
  tenant_id: z.string(),
  /** The session (refresh-token family) the token belongs to. */
  sid: z.string(),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  /** Authentication methods (RFC 8176), e.g. `otp`, `hwk`. */
  amr: z.array(z.string()),
  /** The account's grant version when the token was minted. */
  grant_version: z.number().int(),
  /** NumericDate of the session's last second factor (sign-in with MFA or step-up); absent if none. */
  mfa_at: z.number().int().optional(),
  /** RFC 8693 §4.1: the admin's account acting through this token (`POST /accounts/{id}/impersonate`); absent otherwise. */
  act: actorClaimSchema.optional(),
  /**
   * Subject attributes the tenant's policy fills from the account's public metadata (`subject_attributes`
   * with `from`), as they were at minting; absent when none. Verifiers keep only what their policy declares.
   */
  attrs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).optional(),
  iat: z.number().int(),
  exp: z.number().int(),
  /** Never minted by Enforcer; honoured by verifiers when present. */
  nbf: z.number().optional(),
  jti: z.string(),
});

export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/**
 * The claims of an application's access token (`POST /oauth/token`, client credentials, #18): the same
 * `typ`, keys, issuer and audience as an account's, but it speaks for a machine client, not a person:
 * `sub` is the client id, `kind` is `client`, and there is no `person_id`, `sid`, role or group. A user's
 * verification refuses it (it lacks their claims); decisions see it as `subject.kind = "client"` with the
 * token's `scope` as its permissions.
 */
export const clientTokenClaimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  /** The client id (`enfapp_...`). */
  sub: z.string(),
  kind: z.literal('client'),
  client_id: z.string(),
  tenant_id: z.string(),
  /** The granted scopes, space-separated (RFC 9068 §2.2.3). */
  scope: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
  nbf: z.number().optional(),
  jti: z.string(),
});
export type ClientTokenClaims = z.infer<typeof clientTokenClaimsSchema>;
