import { z } from 'zod';

/**
 * The claims of our access tokens, as a request's bearer carries them. Here, below the domains, because
 * the principal of every request holds them; `domains/tokens` issues and verifies the tokens.
 */
export const accessTokenClaimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  /** The account id. */
  sub: z.string(),
  person_id: z.string(),
  tenant_id: z.string(),
  sid: z.string(),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  amr: z.array(z.string()),
  grant_version: z.number().int(),
  /** NumericDate of the session's last second factor (sign-in with MFA or step-up); absent if none. */
  mfa_at: z.number().int().optional(),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string(),
});
/** The verified claims of an access token (JWT names, snake_case). */
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;
