import { VerifierError } from '../errors';

/**
 * WebCrypto parameters of each allowed JWS algorithm (RFC 7518). HMAC and `none` are absent: a token
 * can never be "verified" with a shared secret or without a key.
 */
const PARAMS: Record<string, AlgorithmIdentifier | EcdsaParams | RsaPssParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
  ES384: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
  ES512: { name: 'ECDSA', hash: 'SHA-512' } as EcdsaParams,
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  RS384: { name: 'RSASSA-PKCS1-v1_5' },
  RS512: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams,
  PS384: { name: 'RSA-PSS', saltLength: 48 } as RsaPssParams,
  PS512: { name: 'RSA-PSS', saltLength: 64 } as RsaPssParams,
  EdDSA: { name: 'Ed25519' },
  Ed25519: { name: 'Ed25519' },
};

/**
 * Checks the signature of a compact JWS over its signing input (`header.payload`, as written) with a
 * key imported (by jose) for exactly this algorithm. WebCrypto itself refuses ECDSA signatures of the
 * wrong length and r or s out of range (so r = s = 0 fails).
 */
export async function verifySignature(
  token: string,
  signatureStart: number,
  alg: string,
  key: CryptoKey,
): Promise<void> {
  const params = PARAMS[alg];
  if (!params) throw new VerifierError('disallowed_algorithm', 'no such algorithm', { claim: 'alg' });
  const signature = Buffer.from(token.slice(signatureStart), 'base64url');
  const input = Buffer.from(token.slice(0, signatureStart - 1), 'utf8');
  let valid: boolean;
  try {
    valid = await crypto.subtle.verify(params, key, signature, input);
  } catch (cause) {
    throw new VerifierError('key_mismatch', 'the key does not fit the algorithm', { cause, claim: 'alg' });
  }
  if (!valid) throw new VerifierError('bad_signature', 'the signature does not verify');
}
