import type { ApiKeyRecord, ApiKeyStore } from '../../api-keys/ports.js';
import { pageInMemory, type VisibleRequest } from '../../pagination.js';
import { apiKeyResource } from '../../policy/resources.js';
import type { MemoryDatabase } from './database.js';

/** API keys in the memory database's `apiKeys` table (id → record). Callers get copies, never the rows. */
export class MemoryApiKeyStore implements ApiKeyStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #rows(): Map<string, ApiKeyRecord> {
    return this.#db.tables.apiKeys;
  }

  async insert(key: ApiKeyRecord): Promise<void> {
    for (const row of this.#rows.values()) {
      if (row.id === key.id || row.keyHash === key.keyHash)
        throw new Error('api_key: duplicate id or key hash');
    }
    this.#rows.set(key.id, { ...key });
  }

  async list(tenantId: string, request: VisibleRequest): Promise<ApiKeyRecord[]> {
    const live = [...this.#rows.values()].filter((k) => k.tenantId === tenantId && k.revokedAt === null);
    return pageInMemory(live, request, (k) => apiKeyResource(k).attributes).map((k) => ({ ...k }));
  }

  async findLive(tenantId: string, id: string): Promise<ApiKeyRecord | null> {
    const row = this.#rows.get(id);
    return row && row.tenantId === tenantId && row.revokedAt === null ? { ...row } : null;
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    for (const row of this.#rows.values()) if (row.keyHash === keyHash) return { ...row };
    return null;
  }

  async revoke(id: string, at: Date): Promise<void> {
    const row = this.#rows.get(id);
    if (row && row.revokedAt === null) row.revokedAt = at;
  }

  async touch(id: string, at: Date): Promise<void> {
    const row = this.#rows.get(id);
    if (row) row.lastUsedAt = at;
  }
}
