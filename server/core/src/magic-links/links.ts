import { AppError } from '../errors.js';
import { addSeconds, base64url, type Clock, type Hashing, type RandomSource } from '../platform.js';
import type { Repositories } from '../store.js';
import type { SendLimits } from '../throttle/send-limits.js';

/** A link works this long after it was requested. */
export const MAGIC_LINK_TTL_SECONDS = 900;
/** Links one email may be sent for one tenant per window (mailbox flooding). */
export const MAGIC_LINK_MAX_REQUESTS = 5;
export const MAGIC_LINK_WINDOW_SECONDS = 900;

export type MagicLinkCheck =
  | { ok: true; email: string }
  | { ok: false; reason: 'invalid_token' | 'used_token' | 'expired_token' };

export interface MagicLinkDeps {
  clock: Clock;
  random: RandomSource;
  hashing: Hashing;
  /** Per destination and client (default `SEND_LIMITS`). */
  sendLimits?: SendLimits;
}

/**
 * Issues a link for `email` in the tenant: 32 bytes from the CSPRNG (base64url in the link), only their
 * SHA-256 stored (256 bits: nothing to brute-force, so the lookup by hash is the comparison). One live
 * link per email and tenant: a new one supersedes the previous. `429 rate_limited` past
 * `MAGIC_LINK_MAX_REQUESTS` a window.
 */
export async function issueMagicLink(
  repos: Pick<Repositories, 'magicLinks'>,
  deps: MagicLinkDeps,
  scope: { tenantId: string; email: string },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const { magicLinks } = repos;
  await magicLinks.lock(scope.tenantId, scope.email);
  const now = deps.clock.now();
  const recent = await magicLinks.createdSince(
    scope.tenantId,
    scope.email,
    addSeconds(now, -MAGIC_LINK_WINDOW_SECONDS),
  );
  if (recent.length >= MAGIC_LINK_MAX_REQUESTS) {
    const windowEnds = recent[0]!.createdAt.getTime() + MAGIC_LINK_WINDOW_SECONDS * 1000;
    const retryAfter = Math.max(1, Math.ceil((windowEnds - now.getTime()) / 1000));
    throw new AppError('rate_limited', `Too many links for this email: try again in ${retryAfter} seconds`, {
      headers: { 'retry-after': String(retryAfter) },
    });
  }
  await magicLinks.supersede(scope.tenantId, scope.email, now);
  const token = base64url(deps.random.bytes(32));
  const link = {
    id: deps.random.uuid(),
    tokenHash: await deps.hashing.sha256(token),
    tenantId: scope.tenantId,
    email: scope.email,
    expiresAt: addSeconds(now, MAGIC_LINK_TTL_SECONDS),
    consumedAt: null,
    createdAt: now,
  };
  await magicLinks.insert(link);
  return { id: link.id, token, expiresAt: link.expiresAt };
}

/** Spends a link of `tenantId` (a link of another tenant is unknown here, and stays unspent). */
export async function consumeMagicLink(
  repos: Pick<Repositories, 'magicLinks'>,
  deps: Pick<MagicLinkDeps, 'clock' | 'hashing'>,
  token: string,
  tenantId: string,
): Promise<MagicLinkCheck> {
  const now = deps.clock.now();
  const link = await repos.magicLinks.spend(tenantId, await deps.hashing.sha256(token), now);
  if (!link) return { ok: false, reason: 'invalid_token' };
  if (link.consumedAt) return { ok: false, reason: 'used_token' };
  if (link.expiresAt <= now) return { ok: false, reason: 'expired_token' };
  return { ok: true, email: link.email };
}
