import { z } from 'zod';
import { tenantCodeSchema, timestampSchema } from '../common/schemas';

/** An EIP-4361 message, as the wallet signed it. */
export const siweMessageSchema = z.string().min(1).max(4096);

/** An EIP-191 `personal_sign` signature from an externally owned account: 65 bytes, hex. */
export const siweSignatureSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte hex signature (0x followed by 130 hex digits)');

/** `POST /auth/siwe/nonce`: a nonce for one message to the tenant. */
export const siweNonceBodySchema = z.strictObject({ tenant_code: tenantCodeSchema });
export type SiweNonceBody = z.infer<typeof siweNonceBodySchema>;

export const siweNonceResponseSchema = z.object({
  /** Put it in the message's `Nonce:` line. 128 random bits or more; single use. */
  nonce: z.string(),
  /** The nonce is refused after this. */
  expires_at: timestampSchema,
  /** What the message must say (`domain`, the origin of `uri`, one of `chain_ids`). */
  domain: z.string(),
  uri: z.string(),
  chain_ids: z.array(z.number().int()),
});
export type SiweNonceResponse = z.infer<typeof siweNonceResponseSchema>;

/**
 * `POST /auth/login` with a signed Sign-In with Ethereum message. The message must name the
 * tenant's domain, an URI of its origin, one of its chain ids and a live nonce from
 * `POST /auth/siwe/nonce` (single use); it must not be expired or not yet valid, and the
 * signature must recover to the message's address.
 */
export const siweLoginBodySchema = z.strictObject({
  provider: z.literal('siwe'),
  message: siweMessageSchema,
  signature: siweSignatureSchema,
  tenant_code: tenantCodeSchema,
});
export type SiweLoginBody = z.infer<typeof siweLoginBodySchema>;

/** `POST /auth/identities/siwe`: links a wallet address to the signed-in person. */
export const linkSiweBodySchema = z.strictObject({
  message: siweMessageSchema,
  signature: siweSignatureSchema,
});
export type LinkSiweBody = z.infer<typeof linkSiweBodySchema>;
