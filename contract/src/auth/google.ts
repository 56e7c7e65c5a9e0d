import { z } from 'zod';
import { tenantCodeSchema } from '../common/schemas';

/** A Google ID token (a JWT from Google Identity Services / One Tap / the native SDKs). */
export const googleIdTokenSchema = z.string().min(1).max(8192);

/**
 * The nonce the client put in its Google sign-in request, sent again here: the ID token's
 * `nonce` claim must equal it, and a nonce is accepted once only.
 */
export const googleNonceSchema = z.string().min(16).max(256);

/**
 * `POST /auth/login` with a Google ID token. The token's signature (Google's keys), issuer,
 * audience (one of the tenant's Google client ids), expiry and nonce are checked; the person is
 * found by Google's issuer and subject, never by email alone.
 */
export const googleLoginBodySchema = z.strictObject({
  provider: z.literal('google'),
  token: googleIdTokenSchema,
  nonce: googleNonceSchema,
  tenant_code: tenantCodeSchema,
});
export type GoogleLoginBody = z.infer<typeof googleLoginBodySchema>;

/** `POST /auth/identities/google`: links a Google account to the signed-in person. */
export const linkGoogleBodySchema = z.strictObject({
  token: googleIdTokenSchema,
  nonce: googleNonceSchema,
});
export type LinkGoogleBody = z.infer<typeof linkGoogleBodySchema>;
