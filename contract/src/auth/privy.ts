import { z } from 'zod';
import { tenantCodeSchema } from '../common/schemas';

/** A Privy access token (an ES256 JWT issued by `privy.io` for the tenant's Privy app). */
export const privyTokenSchema = z.string().min(1).max(8192);

/**
 * `POST /auth/login` with a Privy access token: verified with the tenant's Privy verification
 * key (issuer `privy.io`, audience the tenant's Privy app id, expiry); the person is found by
 * their Privy DID. A Privy token is also accepted directly as a bearer on user routes.
 */
export const privyLoginBodySchema = z.strictObject({
  provider: z.literal('privy'),
  token: privyTokenSchema,
  tenant_code: tenantCodeSchema,
});
export type PrivyLoginBody = z.infer<typeof privyLoginBodySchema>;

/** `POST /auth/identities/privy`: links a Privy user (DID) to the signed-in person. */
export const linkPrivyBodySchema = z.strictObject({ token: privyTokenSchema });
export type LinkPrivyBody = z.infer<typeof linkPrivyBodySchema>;
