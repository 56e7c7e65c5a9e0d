import type { PasskeyRecord, PasskeyStore } from '../../passkeys/ports.js';
import type { MemoryDatabase } from './database.js';

const oldestFirst = (a: PasskeyRecord, b: PasskeyRecord) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Passkeys in the memory database's `passkeys` table (id → record). */
export class MemoryPasskeyStore implements PasskeyStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get #rows(): Map<string, PasskeyRecord> {
    return this.#db.tables.passkeys;
  }

  async find(id: string): Promise<PasskeyRecord | null> {
    const row = this.#rows.get(id);
    return row ? structuredClone(row) : null;
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyRecord | null> {
    for (const row of this.#rows.values()) if (row.credentialId === credentialId) return structuredClone(row);
    return null;
  }

  async ofPerson(personId: string, rpId?: string): Promise<PasskeyRecord[]> {
    return [...this.#rows.values()]
      .filter((row) => row.personId === personId && (rpId === undefined || row.rpId === rpId))
      .sort(oldestFirst)
      .map((row) => structuredClone(row));
  }

  async create(input: Omit<PasskeyRecord, 'id'>): Promise<PasskeyRecord | null> {
    if (await this.findByCredentialId(input.credentialId)) return null;
    const row: PasskeyRecord = { id: globalThis.crypto.randomUUID(), ...structuredClone(input) };
    this.#rows.set(row.id, row);
    return structuredClone(row);
  }

  async recordUse(id: string, changes: { counter: number; backedUp: boolean; lastUsedAt: Date }) {
    const row = this.#rows.get(id);
    if (row) Object.assign(row, changes);
  }

  async delete(id: string): Promise<void> {
    this.#rows.delete(id);
  }

  async lockOwner(): Promise<void> {}
}
