import type { ApiKeyRecord, ApiKeyStore, VisibleRequest } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { apiKeyFields } from '../../domains/policy/resources.js';
import { planFilter } from '../../domains/policy/visible.js';
import { ApiKey, type IApiKey } from '../../entities/api-keys.js';
import { Tenant } from '../../entities/tenants.js';
import { afterPosition, pageOrder } from '../../lib/pagination.js';

const record = (row: IApiKey): ApiKeyRecord => ({
  id: row.id,
  tenantId: row.tenant.id,
  name: row.name,
  prefix: row.prefix,
  keyHash: row.keyHash,
  role: row.role,
  createdBy: row.createdBy ?? null,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt ?? null,
  expiresAt: row.expiresAt ?? null,
  revokedAt: row.revokedAt ?? null,
});

/** API keys in `api_key`, in the unit's transaction (writes flush when it commits). */
export class PostgresApiKeyStore implements ApiKeyStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async insert(key: ApiKeyRecord): Promise<void> {
    const { tenantId, ...fields } = key;
    this.#em.create(ApiKey, { ...fields, tenant: this.#em.getReference(Tenant, tenantId) });
    await this.#em.flush();
  }

  async list(tenantId: string, request: VisibleRequest): Promise<ApiKeyRecord[]> {
    const rows = await this.#em.find(
      ApiKey,
      {
        $and: [
          { tenant: tenantId, revokedAt: null },
          planFilter(request.visible, apiKeyFields),
          afterPosition(request.after),
        ],
      },
      { orderBy: pageOrder, limit: request.limit },
    );
    return rows.map(record);
  }

  async findLive(tenantId: string, id: string): Promise<ApiKeyRecord | null> {
    const row = await this.#em.findOne(ApiKey, { id, tenant: tenantId, revokedAt: null });
    return row ? record(row) : null;
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.#em.findOne(ApiKey, { keyHash });
    return row ? record(row) : null;
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.#em.nativeUpdate(ApiKey, { id, revokedAt: null }, { revokedAt: at });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.#em.nativeUpdate(ApiKey, { id }, { lastUsedAt: at });
  }
}
