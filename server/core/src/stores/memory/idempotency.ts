import type { IdempotencyStore, IdempotentAnswer } from '../../idempotency/ports.js';
import type { MemoryDatabase } from './database.js';

/** An idempotency key's row (expiry in epoch milliseconds, as the memory database's other rows). */
export interface MemoryIdempotencyRow extends IdempotentAnswer {
  expiresAt: number;
}

const rowKey = (tenantId: string, key: string) => `${tenantId}\u0000${key}`;

/** Idempotency keys in the memory database's `idempotencyKeys` table (by tenant and key). */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async find(tenantId: string, key: string, now: Date): Promise<IdempotentAnswer | null> {
    const row = this.#db.tables.idempotencyKeys.get(rowKey(tenantId, key));
    if (!row || row.expiresAt <= now.getTime()) return null;
    return { requestHash: row.requestHash, status: row.status, body: structuredClone(row.body) };
  }

  async save(tenantId: string, key: string, answer: IdempotentAnswer, expiresAt: Date): Promise<void> {
    this.#db.tables.idempotencyKeys.set(rowKey(tenantId, key), {
      requestHash: answer.requestHash,
      status: answer.status,
      body: structuredClone(answer.body),
      expiresAt: expiresAt.getTime(),
    });
  }
}
