import type { RandomSource } from '../../lib/random.js';

/** Crockford base32 without I, L, O, U: nothing to misread when a code is typed from a screen. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A tenant code like `2OPX-BYIE-GDUH`: 12 characters (60 bits) in three groups. */
export function generateTenantCode(random: RandomSource): string {
  const bytes = random.bytes(12);
  const chars = [...bytes].map((byte) => ALPHABET[byte % 32]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((group) => group.join('')).join('-');
}

/** Upper-cases and checks the shape of a code someone typed (`2opx-byie-gduh` → `2OPX-BYIE-GDUH`). */
export const normaliseTenantCode = (code: string): string | undefined => {
  const upper = code.trim().toUpperCase();
  return /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(upper) ? upper : undefined;
};
