import type { Now } from '../clock';
import { VerifierError } from '../errors';
import type { KeySource } from '../keys/key-source';
import {
  type AccessTokenClaims,
  type ClaimRules,
  type ClientTokenClaims,
  decodePayload,
  isClientToken,
  readClaims,
  readClientClaims,
} from './read-claims';
import { type HeaderRules, readHeader } from './read-header';
import { verifySignature } from './verify-signature';

export interface VerifyTokenRules {
  header: HeaderRules;
  claims: ClaimRules;
  keys: KeySource;
  now: Now;
}

/** A verified token: an account's, or an application's (`kind: "client"`, #18). */
export type VerifiedToken =
  | { kind: 'account'; claims: AccessTokenClaims; kid: string }
  | { kind: 'client'; claims: ClientTokenClaims; kid: string };

/**
 * Verifies an access token: the header first (size, compact form, allowed `alg`, `typ`, no key-bearing
 * parameters), then the signature with the configured key named by `kid` and bound to that `alg`, then
 * the claims (issuer, audience, lifetime, shape: an account's or an application's). Throws `VerifierError`.
 */
export async function verifyToken(token: string, rules: VerifyTokenRules): Promise<VerifiedToken> {
  const header = readHeader(token, rules.header);
  const key = await rules.keys.get(header.kid);
  if (key.alg !== header.alg) {
    throw new VerifierError('key_mismatch', `the key ${header.kid} is for ${key.alg}, not ${header.alg}`, {
      claim: 'alg',
    });
  }
  await verifySignature(token, header.signatureStart, key.alg, key.key);
  const payload = Buffer.from(token.slice(header.payloadStart, header.signatureStart - 1), 'base64url');
  const claims = decodePayload(payload);
  if (isClientToken(claims)) {
    return { kind: 'client', claims: readClientClaims(claims, rules.claims, rules.now()), kid: header.kid };
  }
  return { kind: 'account', claims: readClaims(claims, rules.claims, rules.now()), kid: header.kid };
}
