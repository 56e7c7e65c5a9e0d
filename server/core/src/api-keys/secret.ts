import { constantTimeEqual } from '../codes/otp.js';
import { AppError } from '../errors.js';
import { base64url, type Hashing, type RandomSource } from '../platform.js';
import type { ApiKeyRecord } from './ports.js';

/** API keys look like `enf_<43 base64url chars>` (256 random bits); anything else as a bearer is a JWT. */
export const API_KEY_PREFIX = 'enf_';

/** How many characters of a key listings show, to tell keys apart (`enf_` and 8 more: 48 of 256 bits). */
export const API_KEY_SHOWN_PREFIX_LENGTH = 12;

/** A new key: `enf_` + 32 random bytes in base64url. */
export const newApiKey = (random: RandomSource): string => API_KEY_PREFIX + base64url(random.bytes(32));

/**
 * What the store keeps of a key: its SHA-256 as lowercase hex. The format is stored data (keys minted
 * before the move to the core still authenticate), hence hex here while other hashes are base64url.
 */
export async function hashApiKey(hashing: Hashing, key: string): Promise<string> {
  const binary = atob((await hashing.sha256(key)).replace(/-/g, '+').replace(/_/g, '/'));
  let hex = '';
  for (let i = 0; i < binary.length; i += 1) hex += binary.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

/** Could this be one of our keys at all (checked before hashing anything)? */
export const looksLikeApiKey = (key: string): boolean => key.startsWith(API_KEY_PREFIX) && key.length <= 200;

/** An entity's nullable dates may also be undefined. */
type StoredDates = { revokedAt?: Date | null; expiresAt?: Date | null };

/** A stored key authenticates when its hash matches, it is not revoked and it has not expired. */
export const apiKeyAuthenticates = <R extends Pick<ApiKeyRecord, 'keyHash'> & StoredDates>(
  row: R | null,
  hash: string,
  now: Date,
): row is R =>
  row !== null &&
  // The lookup is by hash; comparing again in constant time costs nothing and guards the index path.
  constantTimeEqual(row.keyHash, hash) &&
  row.revokedAt == null &&
  (row.expiresAt == null || row.expiresAt.getTime() > now.getTime());

/** Last use is worth knowing, but not worth a write on every request: at most one a minute. */
export const apiKeyUseWorthRecording = (lastUsedAt: Date | null | undefined, now: Date): boolean =>
  !lastUsedAt || now.getTime() - lastUsedAt.getTime() > 60_000;

export const invalidApiKey = (): AppError => new AppError('invalid_credentials', 'Invalid API key');
