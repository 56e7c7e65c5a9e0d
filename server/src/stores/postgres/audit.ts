import type { AuditInput, AuditLog } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../../domains/audit/record-audit.js';
import type { Clock } from '../../lib/clock.js';

/** Audit events added to the unit of work's entity manager: persisted when its transaction commits. */
export class PostgresAuditLog implements AuditLog {
  readonly #em: EntityManager;
  readonly #clock: Clock;

  constructor(em: EntityManager, clock: Clock) {
    this.#em = em;
    this.#clock = clock;
  }

  record(input: AuditInput): void {
    recordAudit(this.#em, this.#clock, input);
  }
}
