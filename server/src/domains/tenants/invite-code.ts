import { sha256 } from '../../lib/crypto.js';
import type { RandomSource } from '../../lib/random.js';

/** Invite codes look like `inv_<43 base64url chars>`: 256 random bits, shown once to the inviter. */
export const INVITE_CODE_PREFIX = 'inv_';

/** How long an invite stays usable. */
export const INVITE_TTL_SECONDS = 7 * 24 * 3600;

export const generateInviteCode = (random: RandomSource): string =>
  INVITE_CODE_PREFIX + random.bytes(32).toString('base64url');

/**
 * What `invite.code_hash` holds: SHA-256 (base64url) of the code. With 256 random bits a plain hash is
 * enough (as for refresh tokens and API keys); looking an invite up by this hash is the comparison.
 * `POST /auth/invites/accept` hashes the presented code (trimmed) the same way.
 */
export const hashInviteCode = (code: string): string => sha256(code.trim());
