import { type ChainHead, chainEvent } from '../../audit/chain.js';
import {
  type AuditEventFilter,
  type AuditEventStore,
  type AuditInput,
  type AuditLog,
  type AuditRecord,
  auditFields,
} from '../../audit/ports.js';
import { byPosition, type PageRequest } from '../../pagination.js';
import { webhookEventsOfAudit } from '../../webhooks/events.js';
import type { MemoryDatabase } from './database.js';
import { appendWebhookEvent } from './webhooks.js';

/** The key of a tenant's chain head (tenant-less events chain under the empty key). */
const chainKey = (tenantId: string | null): string => tenantId ?? '';

/** Audit events appended to the memory database's `audit` table, each chained after its tenant's last one. */
export class MemoryAuditLog implements AuditLog {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  record(input: AuditInput): void {
    const fields = auditFields(input, this.#db.now());
    const { audit, auditHeads } = this.#db.tables;
    const head: ChainHead | null = auditHeads.get(chainKey(fields.tenantId)) ?? null;
    const event = chainEvent(crypto.randomUUID(), fields, head);
    audit.push(event);
    auditHeads.set(chainKey(fields.tenantId), { seq: event.seq, hash: event.hash });
    // The outbox rows of catalogue events, in the same unit of work (rolled back with it).
    for (const outbox of webhookEventsOfAudit(() => crypto.randomUUID(), fields)) {
      appendWebhookEvent(this.#db, outbox);
    }
  }
}

/** Whether an event passes a listing's filter (what the PostgreSQL store's WHERE clause keeps). */
function matches(event: AuditRecord, filter: AuditEventFilter): boolean {
  const { about } = filter;
  if (about) {
    if (event.tenantId !== null && event.tenantId !== filter.tenantId) return false;
    const named = (type: string | null, id: string | null) =>
      about.some((who) => who.type === type && who.id === id);
    if (!named(event.actorType, event.actorId) && !named(event.targetType, event.targetId)) return false;
  } else if (event.tenantId !== filter.tenantId) {
    return false;
  }
  if (filter.actionPrefix !== undefined && !event.action.startsWith(filter.actionPrefix)) return false;
  if (
    filter.actorAccountId !== undefined &&
    (event.actorType !== 'account' || event.actorId !== filter.actorAccountId)
  ) {
    return false;
  }
  if (
    filter.targetAccountId !== undefined &&
    (event.targetType !== 'account' || event.targetId !== filter.targetAccountId)
  ) {
    return false;
  }
  if (filter.outcome !== undefined && event.outcome !== filter.outcome) return false;
  if (filter.from && event.createdAt.getTime() < filter.from.getTime()) return false;
  if (filter.to && event.createdAt.getTime() >= filter.to.getTime()) return false;
  return true;
}

/** Reading, purging and the retention setting of the memory database's audit events. */
export class MemoryAuditEventStore implements AuditEventStore {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  async listNewestFirst(filter: AuditEventFilter, page: PageRequest): Promise<AuditRecord[]> {
    const { after } = page;
    return this.#db.tables.audit
      .filter((event) => matches(event, filter) && (!after || byPosition(event, after) < 0))
      .sort((a, b) => byPosition(b, a))
      .slice(0, page.limit)
      .map((event) => structuredClone(event));
  }

  async listOldestFirst(filter: AuditEventFilter, page: PageRequest): Promise<AuditRecord[]> {
    const { after } = page;
    return this.#db.tables.audit
      .filter((event) => matches(event, filter) && (!after || byPosition(event, after) > 0))
      .sort(byPosition)
      .slice(0, page.limit)
      .map((event) => structuredClone(event));
  }

  async find(tenantId: string, id: string): Promise<AuditRecord | null> {
    const event = this.#db.tables.audit.find((e) => e.id === id && e.tenantId === tenantId);
    return event ? structuredClone(event) : null;
  }

  async chain(tenantId: string | null, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.#db.tables.audit
      .filter((e) => e.tenantId === tenantId && e.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((event) => structuredClone(event));
  }

  async retentions(): Promise<{ tenantId: string | null; days: number | null }[]> {
    const tenants = new Set(this.#db.tables.audit.map((e) => e.tenantId));
    return [...tenants].map((tenantId) => ({
      tenantId,
      days: tenantId === null ? null : (this.#db.tables.auditRetention.get(tenantId) ?? null),
    }));
  }

  async retentionDays(tenantId: string): Promise<number | null> {
    return this.#db.tables.auditRetention.get(tenantId) ?? null;
  }

  async setRetentionDays(tenantId: string, days: number | null): Promise<void> {
    if (days === null) this.#db.tables.auditRetention.delete(tenantId);
    else this.#db.tables.auditRetention.set(tenantId, days);
  }

  async purge(
    tenantId: string | null,
    before: Date,
    limit: number,
  ): Promise<{ deleted: number; throughSeq: number | null }> {
    const doomed = this.#db.tables.audit
      .filter((e) => e.tenantId === tenantId && e.createdAt.getTime() < before.getTime())
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
    const ids = new Set(doomed.map((e) => e.id));
    this.#db.tables.audit = this.#db.tables.audit.filter((e) => !ids.has(e.id));
    return { deleted: doomed.length, throughSeq: doomed.at(-1)?.seq ?? null };
  }
}
