import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { MagicLinkToken } from '../../../../entities/magic-links.js';
import { Tenant } from '../../../../entities/tenants.js';
import { addSeconds, type Clock } from '../../../../lib/clock.js';
import { sha256 } from '../../../../lib/crypto.js';
import { AppError } from '../../../../lib/errors.js';
import type { RandomSource } from '../../../../lib/random.js';

/** A link works this long after it was requested. */
export const MAGIC_LINK_TTL_SECONDS = 900;
/** Links one email may be sent for one tenant per window (mailbox flooding). */
export const MAGIC_LINK_MAX_REQUESTS = 5;
export const MAGIC_LINK_WINDOW_SECONDS = 900;

export type MagicLinkCheck =
  | { ok: true; email: string }
  | { ok: false; reason: 'invalid_token' | 'used_token' | 'expired_token' };

/**
 * Magic-link tokens: 32 bytes from the injected CSPRNG (base64url in the link), only their SHA-256 stored
 * (256 bits: nothing to brute-force, so the lookup by hash is the comparison). One live link per email
 * and tenant: a new request supersedes the previous one. Consuming locks the row, so a link opened twice
 * at once signs in once.
 */
export class MagicLinkService {
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: { clock: Clock; random: RandomSource }) {
    this.#clock = options.clock;
    this.#random = options.random;
  }

  async issue(
    em: EntityManager,
    scope: { email: string; tenantId: string },
  ): Promise<{ token: string; expiresAt: Date; id: string }> {
    await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
      `enforcer:magic-link:${scope.tenantId}:${scope.email}`,
    ]);
    const now = this.#clock.now();
    const windowStart = addSeconds(now, -MAGIC_LINK_WINDOW_SECONDS);
    const recent = await em.find(
      MagicLinkToken,
      { email: scope.email, tenant: scope.tenantId, createdAt: { $gt: windowStart } },
      { orderBy: { createdAt: 'asc' } },
    );
    if (recent.length >= MAGIC_LINK_MAX_REQUESTS) {
      const retryAfter = Math.max(
        1,
        Math.ceil((recent[0]!.createdAt.getTime() + MAGIC_LINK_WINDOW_SECONDS * 1000 - now.getTime()) / 1000),
      );
      throw new AppError(
        'rate_limited',
        `Too many links for this email: try again in ${retryAfter} seconds`,
        {
          headers: { 'retry-after': String(retryAfter) },
        },
      );
    }
    await em.nativeUpdate(
      MagicLinkToken,
      { email: scope.email, tenant: scope.tenantId, consumedAt: null },
      { consumedAt: now },
    );
    const token = this.#random.bytes(32).toString('base64url');
    const expiresAt = addSeconds(now, MAGIC_LINK_TTL_SECONDS);
    const row = em.create(MagicLinkToken, {
      id: this.#random.uuid(),
      tokenHash: sha256(token),
      email: scope.email,
      tenant: em.getReference(Tenant, scope.tenantId),
      expiresAt,
      consumedAt: null,
      createdAt: now,
    });
    await em.flush();
    return { token, expiresAt, id: row.id };
  }

  /** Spends a link of `tenantId` (a link of another tenant is unknown here, and stays unspent). */
  async consume(em: EntityManager, token: string, tenantId: string): Promise<MagicLinkCheck> {
    const row = await em.findOne(
      MagicLinkToken,
      { tokenHash: sha256(token), tenant: tenantId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!row) return { ok: false, reason: 'invalid_token' };
    if (row.consumedAt) return { ok: false, reason: 'used_token' };
    const now = this.#clock.now();
    if (row.expiresAt <= now) return { ok: false, reason: 'expired_token' };
    row.consumedAt = now;
    await em.flush();
    return { ok: true, email: row.email };
  }
}
