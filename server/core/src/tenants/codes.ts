import { base64url, type Hashing, type RandomSource, webCryptoHashing } from '../platform.js';

/** Crockford base32 without I, L, O, U: nothing to misread when a code is typed from a screen. */
const TENANT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A tenant code like `2OPX-BYIE-GDUH`: 12 characters (60 bits) in three groups. */
export function generateTenantCode(random: RandomSource): string {
  const chars = [...random.bytes(12)].map((byte) => TENANT_CODE_ALPHABET[byte % 32]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((group) => group.join('')).join('-');
}

/** Upper-cases and checks the shape of a code someone typed (`2opx-byie-gduh` → `2OPX-BYIE-GDUH`). */
export const normaliseTenantCode = (code: string): string | undefined => {
  const upper = code.trim().toUpperCase();
  return /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(upper) ? upper : undefined;
};

/** Invite codes look like `inv_<43 base64url chars>`: 256 random bits, shown once to the inviter. */
export const INVITE_CODE_PREFIX = 'inv_';

/** How long an invite stays usable. */
export const INVITE_TTL_SECONDS = 7 * 24 * 3600;

export const generateInviteCode = (random: RandomSource): string =>
  INVITE_CODE_PREFIX + base64url(random.bytes(32));

/**
 * What an invite's stored hash holds: SHA-256 (base64url) of the code. With 256 random bits a plain hash
 * is enough (as for refresh tokens and API keys); looking an invite up by this hash is the comparison.
 * Accepting an invite hashes the presented code (trimmed) the same way.
 */
export const hashInviteCode = (code: string, hashing: Hashing = webCryptoHashing): Promise<string> =>
  hashing.sha256(code.trim());
