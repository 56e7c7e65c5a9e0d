import type { MagicLinkRecord, MagicLinkStore } from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type IMagicLinkToken, MagicLinkSetting, MagicLinkToken } from '../../entities/magic-links.js';
import { Tenant } from '../../entities/tenants.js';

export const linkRecord = (l: IMagicLinkToken): MagicLinkRecord => ({
  id: l.id,
  tokenHash: l.tokenHash,
  tenantId: l.tenant.id,
  email: l.email,
  expiresAt: l.expiresAt,
  consumedAt: l.consumedAt ?? null,
  createdAt: l.createdAt,
});

/**
 * Magic links over `magic_link_token` and `magic_link_setting`, in the unit's transaction. Issuing is
 * serialised per email and tenant by an advisory lock; spending locks the row, so a link opened twice at
 * once signs in once.
 */
export class PostgresMagicLinkStore implements MagicLinkStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async lock(tenantId: string, email: string): Promise<void> {
    await this.#em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
      `enforcer:magic-link:${tenantId}:${email}`,
    ]);
  }

  async createdSince(tenantId: string, email: string, since: Date): Promise<MagicLinkRecord[]> {
    const rows = await this.#em.find(
      MagicLinkToken,
      { email, tenant: tenantId, createdAt: { $gt: since } },
      { orderBy: { createdAt: 'asc' } },
    );
    return rows.map(linkRecord);
  }

  async supersede(tenantId: string, email: string, at: Date): Promise<void> {
    await this.#em.nativeUpdate(
      MagicLinkToken,
      { email, tenant: tenantId, consumedAt: null },
      { consumedAt: at },
    );
  }

  async insert(link: MagicLinkRecord): Promise<void> {
    this.#em.create(MagicLinkToken, {
      id: link.id,
      tokenHash: link.tokenHash,
      email: link.email,
      tenant: this.#em.getReference(Tenant, link.tenantId),
      expiresAt: link.expiresAt,
      consumedAt: link.consumedAt,
      createdAt: link.createdAt,
    });
    await this.#em.flush();
  }

  async spend(tenantId: string, tokenHash: string, at: Date): Promise<MagicLinkRecord | null> {
    const row = await this.#em.findOne(
      MagicLinkToken,
      { tokenHash, tenant: tenantId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!row) return null;
    const before = linkRecord(row);
    if (!row.consumedAt && row.expiresAt > at) {
      row.consumedAt = at;
      await this.#em.flush();
    }
    return before;
  }

  async redirectUrls(tenantId: string): Promise<string[]> {
    const setting = await this.#em.findOne(MagicLinkSetting, { tenant: tenantId });
    return [...(setting?.redirectUrls ?? [])];
  }

  async setRedirectUrls(tenantId: string, urls: string[], at: Date): Promise<string[]> {
    const setting = await this.#em.findOne(MagicLinkSetting, { tenant: tenantId });
    const before = [...(setting?.redirectUrls ?? [])];
    if (setting) {
      setting.redirectUrls = urls;
      setting.updatedAt = at;
    } else {
      this.#em.create(MagicLinkSetting, {
        tenant: this.#em.getReference(Tenant, tenantId),
        redirectUrls: urls,
        updatedAt: at,
      });
    }
    await this.#em.flush();
    return before;
  }
}
