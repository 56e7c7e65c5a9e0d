import { type AuditInput, type AuditLog, scrubDetails } from '../../audit/ports.js';
import type { MemoryDatabase } from './database.js';

/** Audit events appended to the memory database's `audit` table. */
export class MemoryAuditLog implements AuditLog {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  record(input: AuditInput): void {
    this.#db.tables.audit.push({
      id: crypto.randomUUID(),
      action: input.action,
      actorType: input.actor.type,
      actorId: input.actor.id ?? null,
      tenantId: input.tenantId ?? null,
      targetType: input.target?.type ?? null,
      targetId: input.target?.id ?? null,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      details: scrubDetails(input.details ?? {}),
      createdAt: this.#db.now(),
    });
  }
}
