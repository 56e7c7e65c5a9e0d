import type { Now } from '../clock';
import { VerifierError } from '../errors';
import type { KeySource } from '../keys/key-source';
import { type AccessTokenClaims, type ClaimRules, decodePayload, readClaims } from './read-claims';
import { type HeaderRules, readHeader } from './read-header';
import { verifySignature } from './verify-signature';

export interface VerifyTokenRules {
  header: HeaderRules;
  claims: ClaimRules;
  keys: KeySource;
  now: Now;
}

/**
 * Verifies an access token: the header first (size, compact form, allowed `alg`, `typ`, no key-bearing
 * parameters), then the signature with the configured key named by `kid` and bound to that `alg`, then
 * the claims (issuer, audience, lifetime, shape). Throws `VerifierError`.
 */
export async function verifyToken(
  token: string,
  rules: VerifyTokenRules,
): Promise<{ claims: AccessTokenClaims; kid: string }> {
  const header = readHeader(token, rules.header);
  const key = await rules.keys.get(header.kid);
  if (key.alg !== header.alg) {
    throw new VerifierError('key_mismatch', `the key ${header.kid} is for ${key.alg}, not ${header.alg}`, {
      claim: 'alg',
    });
  }
  await verifySignature(token, header.signatureStart, key.alg, key.key);
  const payload = Buffer.from(token.slice(header.payloadStart, header.signatureStart - 1), 'base64url');
  return { claims: readClaims(decodePayload(payload), rules.claims, rules.now()), kid: header.kid };
}
