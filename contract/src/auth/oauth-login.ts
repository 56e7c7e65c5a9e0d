import { z } from 'zod';
import { tenantCodeSchema } from '../common/schemas';

/** The one-time code the callback put in the redirect: 32 random bytes, base64url. */
export const oauthExchangeCodeSchema = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9_-]{43}$/, 'an exchange code is 43 base64url characters');

/**
 * The secret the app drew when it started the flow (RFC 7636's `code_verifier` alphabet and length): the
 * exchange code is bound to it, so a code read from a URL (history, `Referer`, logs) is useless without it.
 */
export const oauthCodeVerifierSchema = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'a code verifier: 43 to 128 characters of A-Z a-z 0-9 - . _ ~');

/** The S256 challenge of a code verifier: base64url(SHA-256(verifier)), 43 characters. */
export const oauthCodeChallengeSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'an S256 code challenge: base64url(SHA-256(code_verifier)), 43 characters');

/** `POST /auth/login` with `provider: "oauth"`: the exchange code, for apps that prefer the login route. */
export const oauthLoginBodySchema = z.strictObject({
  provider: z.literal('oauth'),
  code: oauthExchangeCodeSchema,
  /** The verifier whose S256 challenge started the flow. */
  code_verifier: oauthCodeVerifierSchema,
  tenant_code: tenantCodeSchema,
});
export type OAuthLoginBody = z.infer<typeof oauthLoginBodySchema>;
