import { type AuditInput, type AuditLog, auditFields } from '../../audit/ports.js';
import type { MemoryDatabase } from './database.js';

/** Audit events appended to the memory database's `audit` table. */
export class MemoryAuditLog implements AuditLog {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  record(input: AuditInput): void {
    this.#db.tables.audit.push({ id: crypto.randomUUID(), ...auditFields(input, this.#db.now()) });
  }
}
