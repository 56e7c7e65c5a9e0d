import { importJWK, type JWK } from 'jose';

/** A public key from the configured JWKS, bound to the one algorithm it may verify. */
export interface VerificationKey {
  kid: string;
  alg: string;
  key: CryptoKey;
}

const EC_ALGORITHMS: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
/** Only the public members are ever imported. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

function algorithmOf(jwk: Record<string, unknown>, allowed: ReadonlySet<string>): string | undefined {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'EC' && typeof jwk.crv === 'string') return EC_ALGORITHMS[jwk.crv];
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return allowed.has('Ed25519') ? 'Ed25519' : 'EdDSA';
  return undefined; // an RSA key must say which algorithm it is for
}

/**
 * Imports the usable keys of a JWKS: signature keys (`use` absent or `sig`, `key_ops` absent or with
 * `verify`) with a `kid` and an allowed algorithm. Symmetric keys and anything carrying private material
 * are skipped, as are later keys repeating a `kid`. A key that does not fit its algorithm is skipped.
 */
export async function importKeySet(
  jwks: unknown,
  allowed: ReadonlySet<string>,
): Promise<Map<string, VerificationKey>> {
  const keys = new Map<string, VerificationKey>();
  const list = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) return keys;
  for (const entry of list.slice(0, 100)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const jwk = entry as Record<string, unknown>;
    const kid = jwk.kid;
    if (typeof kid !== 'string' || kid === '' || kid.length > 256 || keys.has(kid)) continue;
    if (jwk.kty === 'oct' || 'd' in jwk || 'p' in jwk || 'k' in jwk) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
      continue;
    const alg = algorithmOf(jwk, allowed);
    if (!alg || !allowed.has(alg)) continue;
    const publicJwk: JWK = {};
    for (const member of PUBLIC_MEMBERS) {
      if (typeof jwk[member] === 'string')
        (publicJwk as Record<string, string>)[member] = jwk[member] as string;
    }
    try {
      const key = await importJWK(publicJwk, alg);
      if (key instanceof Uint8Array || key.type !== 'public') continue;
      // As jose: RSA keys shorter than 2048 bits are refused (RFC 7518, 3.3).
      const modulus = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
      if (modulus !== undefined && modulus < 2048) continue;
      keys.set(kid, { kid, alg, key });
    } catch {
      // A key that does not fit its algorithm (wrong curve, bad coordinates) cannot verify anything.
    }
  }
  return keys;
}
