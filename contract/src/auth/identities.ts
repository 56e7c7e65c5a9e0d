import { z } from 'zod';
import { timestampSchema } from '../common/schemas';

/**
 * Linked identities: one person may sign in with several methods. Each external identity is
 * bound to exactly one person by (provider, subject):
 * - `phone_otp`: the E.164 number (`+14155550100`);
 * - `google`: Google's issuer and subject (`https://accounts.google.com|1098...`), never the email;
 * - `siwe`: the EIP-55 checksummed wallet address;
 * - `privy`: the Privy user DID (`did:privy:...`);
 * - `oidc`: an OpenID Provider's issuer and subject (`https://login.example.com|abc123`), from social sign-in.
 * The person's primary email (`email_otp`) and their passkeys (`passkey`, by credential id) are
 * sign-in methods too and appear in the list; passkeys are managed under `/auth/passkey/*`.
 */
export const linkedProviderIds = ['phone_otp', 'google', 'siwe', 'privy', 'oidc'] as const;
export const linkedProviderSchema = z.enum(linkedProviderIds);
export type LinkedProvider = z.infer<typeof linkedProviderSchema>;

export const identitySchema = z.object({
  /** Null for the primary email, which is not unlinked here. */
  id: z.uuid().nullable(),
  provider: z.enum(['email_otp', 'passkey', ...linkedProviderIds]),
  /** What identifies the person at the provider (see above). */
  subject: z.string(),
  /** An email the provider vouches for (Google), if any; informational. */
  email: z.string().nullable(),
  /** When the method was proven; null for an email that was never verified. */
  verified_at: timestampSchema.nullable(),
  created_at: timestampSchema,
  last_used_at: timestampSchema.nullable(),
});
export type Identity = z.infer<typeof identitySchema>;

/** `GET /auth/identities`: every sign-in method of the signed-in person. */
export const identityListSchema = z.object({ data: z.array(identitySchema) });
export type IdentityList = z.infer<typeof identityListSchema>;
