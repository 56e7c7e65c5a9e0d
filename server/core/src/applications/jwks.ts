import type { ApplicationJwk, ApplicationJwks, FieldError } from '@enforcer/contract';
import { importJWK } from 'jose';
import { AppError } from '../errors.js';

/** The algorithms a client assertion may be signed with: asymmetric only (never `none`, never `HS*`). */
export const clientAssertionAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const ecAlgorithms: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/** An algorithm the key can verify, to import it with (its own `alg` when it names one). */
function algorithmOf(jwk: ApplicationJwk): string | null {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return ecAlgorithms[jwk.crv ?? ''] ?? null;
  return jwk.crv === 'Ed25519' ? 'EdDSA' : null;
}

/** An RSA modulus of fewer than 2048 bits (base64url: 342 characters) is too weak to register. */
const MIN_RSA_MODULUS_CHARS = 342;

/**
 * Checks that an application's keys are public signing keys that can actually be used: each one imports
 * (`400 validation_failed` naming the key otherwise), an RSA key has 2048 bits or more, and when there are
 * several each has its own `kid` (a client assertion names the key it was signed with). Returns the keys as
 * stored.
 */
export async function assertUsablePublicJwks(jwks: ApplicationJwks): Promise<ApplicationJwk[]> {
  const errors: FieldError[] = [];
  const kids = new Set<string>();
  for (const [i, jwk] of jwks.keys.entries()) {
    const path = `body.jwks.keys.${i}`;
    const alg = algorithmOf(jwk);
    if (alg === null) {
      errors.push({ path, message: 'the key names no usable curve (P-256, P-384, P-521, Ed25519)' });
      continue;
    }
    if (jwk.kty === 'RSA' && (jwk.n ?? '').length < MIN_RSA_MODULUS_CHARS) {
      errors.push({ path, message: 'an RSA key must have 2048 bits or more' });
      continue;
    }
    if (jwks.keys.length > 1) {
      if (!jwk.kid) errors.push({ path: `${path}.kid`, message: 'each of several keys needs its own "kid"' });
      else if (kids.has(jwk.kid)) errors.push({ path: `${path}.kid`, message: `"${jwk.kid}" is used twice` });
      if (jwk.kid) kids.add(jwk.kid);
    }
    try {
      await importJWK({ ...jwk }, alg);
    } catch {
      errors.push({ path, message: 'not a valid public key' });
    }
  }
  if (errors.length > 0) {
    throw new AppError('validation_failed', "The application's keys cannot be used", { errors });
  }
  return jwks.keys.map((jwk) => ({ ...jwk }));
}
