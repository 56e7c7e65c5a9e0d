import type { PasswordRecord, PasswordStore } from '../../passwords/ports.js';
import type { MemoryDatabase } from './database.js';

/** Passwords in the memory database's `passwords` table (person id → record). */
export class MemoryPasswordStore implements PasswordStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #rows(): Map<string, PasswordRecord> {
    return this.#db.tables.passwords;
  }

  async find(personId: string): Promise<PasswordRecord | null> {
    const row = this.#rows.get(personId);
    return row ? structuredClone(row) : null;
  }

  async set(personId: string, hash: string, at: Date): Promise<void> {
    const row = this.#rows.get(personId);
    if (row) Object.assign(row, { hash, changedAt: at });
    else this.#rows.set(personId, { personId, hash, createdAt: at, changedAt: at });
  }

  async rehash(personId: string, hash: string): Promise<void> {
    const row = this.#rows.get(personId);
    if (row) row.hash = hash;
  }

  async delete(personId: string): Promise<boolean> {
    return this.#rows.delete(personId);
  }
}
