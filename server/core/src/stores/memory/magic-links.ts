import type { MagicLinkRecord, MagicLinkStore } from '../../magic-links/ports.js';
import type { MemoryDatabase } from './database.js';

/** A tenant's allowed magic-link redirect URLs. */
export interface MemoryMagicLinkSettingRow {
  redirectUrls: string[];
  updatedAt: Date;
}

/** Magic links (`magicLinks`, id → link) and redirect URLs (`magicLinkSettings`, tenant id → setting). */
export class MemoryMagicLinkStore implements MagicLinkStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #links(): Map<string, MagicLinkRecord> {
    return this.#db.tables.magicLinks;
  }

  #of(tenantId: string, email: string): MagicLinkRecord[] {
    return [...this.#links.values()].filter((l) => l.tenantId === tenantId && l.email === email);
  }

  async lock(): Promise<void> {}

  async createdSince(tenantId: string, email: string, since: Date): Promise<MagicLinkRecord[]> {
    return this.#of(tenantId, email)
      .filter((l) => l.createdAt > since)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((l) => structuredClone(l));
  }

  async supersede(tenantId: string, email: string, at: Date): Promise<void> {
    for (const link of this.#of(tenantId, email)) link.consumedAt ??= at;
  }

  async insert(link: MagicLinkRecord): Promise<void> {
    for (const row of this.#links.values()) {
      if (row.tokenHash === link.tokenHash) throw new Error('magic link token hash already stored');
    }
    this.#links.set(link.id, structuredClone(link));
  }

  async spend(tenantId: string, tokenHash: string, at: Date): Promise<MagicLinkRecord | null> {
    for (const row of this.#links.values()) {
      if (row.tokenHash !== tokenHash || row.tenantId !== tenantId) continue;
      const before = structuredClone(row);
      if (row.consumedAt === null && row.expiresAt > at) row.consumedAt = at;
      return before;
    }
    return null;
  }

  async redirectUrls(tenantId: string): Promise<string[]> {
    return [...(this.#db.tables.magicLinkSettings.get(tenantId)?.redirectUrls ?? [])];
  }

  async setRedirectUrls(tenantId: string, urls: string[], at: Date): Promise<string[]> {
    const before = await this.redirectUrls(tenantId);
    this.#db.tables.magicLinkSettings.set(tenantId, { redirectUrls: [...urls], updatedAt: at });
    return before;
  }
}
