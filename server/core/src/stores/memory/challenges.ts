import type { ChallengeLookup, ChallengeRecord, ChallengeStore } from '../../challenges/ports.js';
import type { MemoryDatabase } from './database.js';

const matches = (row: ChallengeRecord, lookup: ChallengeLookup, at: Date) =>
  ('id' in lookup.by ? row.id === lookup.by.id : row.valueHash === lookup.by.valueHash) &&
  row.purpose === lookup.purpose &&
  row.consumedAt === null &&
  row.expiresAt > at &&
  row.tenantId === lookup.tenantId &&
  (lookup.personId === undefined || row.personId === lookup.personId);

/** Challenges in the memory database's `challenges` table (id → record). */
export class MemoryChallengeStore implements ChallengeStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #rows(): Map<string, ChallengeRecord> {
    return this.#db.tables.challenges;
  }

  async insert(record: ChallengeRecord): Promise<boolean> {
    for (const row of this.#rows.values()) {
      if (row.purpose === record.purpose && row.valueHash === record.valueHash) return false;
    }
    this.#rows.set(record.id, structuredClone(record));
    return true;
  }

  async consume(lookup: ChallengeLookup, at: Date): Promise<ChallengeRecord | null> {
    for (const row of this.#rows.values()) {
      if (!matches(row, lookup, at)) continue;
      row.consumedAt = at;
      return structuredClone(row);
    }
    return null;
  }

  async sweep(before: Date): Promise<void> {
    let deleted = 0;
    for (const [id, row] of this.#rows) {
      if (deleted >= 100) return;
      if (row.expiresAt < before) {
        this.#rows.delete(id);
        deleted += 1;
      }
    }
  }
}
