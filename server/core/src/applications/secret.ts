import { constantTimeEqual } from '../codes/otp.js';
import { base64url, type Hashing, type RandomSource } from '../platform.js';

/** Client ids: `enfapp_` + 16 random bytes (public, but unguessable so one tenant cannot probe another's). */
export const CLIENT_ID_PREFIX = 'enfapp_';
/** Client secrets: `enfsec_` + 32 random bytes (256 bits), base64url. */
export const CLIENT_SECRET_PREFIX = 'enfsec_';
/** How much of a secret listings show (`enfsec_` and 8 more characters: 48 of 256 bits). */
export const CLIENT_SECRET_SHOWN_PREFIX_LENGTH = 15;

export const newClientId = (random: RandomSource): string => CLIENT_ID_PREFIX + base64url(random.bytes(16));
export const newClientSecret = (random: RandomSource): string =>
  CLIENT_SECRET_PREFIX + base64url(random.bytes(32));

/** What the store keeps of a secret: its SHA-256, base64url. */
export const hashClientSecret = (hashing: Hashing, secret: string): Promise<string> => hashing.sha256(secret);

/** Could this be a client id or a secret of ours at all (checked before any lookup or hash)? */
export const looksLikeClientId = (value: string): boolean =>
  value.startsWith(CLIENT_ID_PREFIX) && value.length <= 64;
export const looksLikeClientSecret = (value: string): boolean =>
  value.startsWith(CLIENT_SECRET_PREFIX) && value.length <= 128;

/** Compares a presented secret's hash with the stored one in constant time. */
export const clientSecretMatches = (storedHash: string, presentedHash: string): boolean =>
  constantTimeEqual(storedHash, presentedHash);

/** Last use is worth knowing, not worth a write per token: at most one a minute. */
export const applicationUseWorthRecording = (lastUsedAt: Date | null, now: Date): boolean =>
  !lastUsedAt || now.getTime() - lastUsedAt.getTime() > 60_000;
