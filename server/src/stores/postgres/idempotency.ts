import type { IdempotencyStore, IdempotentAnswer } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { IdempotencyKey } from '../../entities/idempotency.js';
import { Tenant } from '../../entities/tenants.js';

/** Idempotency keys in the `idempotency_key` table, in the unit's transaction (callers hold the tenant lock). */
export class PostgresIdempotencyStore implements IdempotencyStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async find(tenantId: string, key: string, now: Date): Promise<IdempotentAnswer | null> {
    const row = await this.#em.findOne(IdempotencyKey, { tenant: tenantId, key, expiresAt: { $gt: now } });
    return row ? { requestHash: row.requestHash, status: row.status, body: row.body } : null;
  }

  async save(tenantId: string, key: string, answer: IdempotentAnswer, expiresAt: Date): Promise<void> {
    // An expired row under the same key makes way (the unique index holds one per tenant and key).
    await this.#em.nativeDelete(IdempotencyKey, { tenant: tenantId, key });
    this.#em.create(IdempotencyKey, {
      tenant: this.#em.getReference(Tenant, tenantId),
      key,
      requestHash: answer.requestHash,
      status: answer.status,
      body: answer.body,
      expiresAt,
    });
    await this.#em.flush();
  }
}
