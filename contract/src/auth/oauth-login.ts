import { z } from 'zod';
import { tenantCodeSchema } from '../common/schemas';

/** The one-time code the callback put in the redirect: 32 random bytes, base64url. */
export const oauthExchangeCodeSchema = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9_-]{43}$/, 'an exchange code is 43 base64url characters');

/** `POST /auth/login` with `provider: "oauth"`: the exchange code, for apps that prefer the login route. */
export const oauthLoginBodySchema = z.strictObject({
  provider: z.literal('oauth'),
  code: oauthExchangeCodeSchema,
  tenant_code: tenantCodeSchema,
});
export type OAuthLoginBody = z.infer<typeof oauthLoginBodySchema>;
