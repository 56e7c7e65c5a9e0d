import type {
  AuditEventFilter,
  AuditEventStore,
  AuditInput,
  AuditLog,
  AuditRecord,
  PageRequest,
} from '@enforcer/core';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { recordAudit } from '../../domains/audit/record-audit.js';
import { AuditEvent, type IAuditEvent } from '../../entities/audit.js';
import { Tenant } from '../../entities/tenants.js';
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

const toRecord = (row: IAuditEvent): AuditRecord => ({
  id: row.id,
  action: row.action,
  outcome: row.outcome,
  actorType: row.actorType,
  actorId: row.actorId ?? null,
  tenantId: row.tenantId ?? null,
  targetType: row.targetType ?? null,
  targetId: row.targetId ?? null,
  ip: row.ip ?? null,
  userAgent: row.userAgent ?? null,
  requestId: row.requestId ?? null,
  details: row.details,
  createdAt: row.createdAt,
  seq: Number(row.seq),
  prevHash: row.prevHash ?? null,
  hash: row.hash,
  personalSalt: row.personalSalt ?? null,
  personalDigest: row.personalDigest,
});

/** `LIKE` pattern of a literal prefix (`_` is common in event types and must not match any character). */
const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The WHERE clause of a listing (the memory store's `matches` keeps the same events). */
function where(filter: AuditEventFilter): FilterQuery<IAuditEvent>[] {
  const clauses: FilterQuery<IAuditEvent>[] = [];
  if (filter.about) {
    clauses.push({ $or: [{ tenantId: filter.tenantId }, { tenantId: null }] });
    clauses.push({
      $or: filter.about.flatMap((who) => [
        { actorType: who.type as IAuditEvent['actorType'], actorId: who.id },
        { targetType: who.type, targetId: who.id },
      ]),
    });
  } else {
    clauses.push({ tenantId: filter.tenantId });
  }
  if (filter.actionPrefix !== undefined) clauses.push({ action: { $like: likePrefix(filter.actionPrefix) } });
  if (filter.actorAccountId !== undefined) {
    clauses.push({ actorType: 'account', actorId: filter.actorAccountId });
  }
  if (filter.targetAccountId !== undefined) {
    clauses.push({ targetType: 'account', targetId: filter.targetAccountId });
  }
  if (filter.outcome !== undefined) clauses.push({ outcome: filter.outcome });
  if (filter.from) clauses.push({ createdAt: { $gte: filter.from } });
  if (filter.to) clauses.push({ createdAt: { $lt: filter.to } });
  return clauses;
}

/** Reading, verifying and purging audit events, and the tenant's retention setting. */
export class PostgresAuditEventStore implements AuditEventStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async listNewestFirst(filter: AuditEventFilter, page: PageRequest): Promise<AuditRecord[]> {
    const clauses = where(filter);
    const { after } = page;
    if (after) {
      clauses.push({
        $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }],
      });
    }
    const rows = await this.#em.find(
      AuditEvent,
      { $and: clauses },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: page.limit },
    );
    return rows.map(toRecord);
  }

  async listOldestFirst(filter: AuditEventFilter, page: PageRequest): Promise<AuditRecord[]> {
    const clauses = where(filter);
    const { after } = page;
    if (after) {
      clauses.push({
        $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, id: { $gt: after.id } }],
      });
    }
    const rows = await this.#em.find(
      AuditEvent,
      { $and: clauses },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: page.limit },
    );
    // A page read for an export is not kept: the identity map would otherwise grow with the export.
    for (const row of rows) this.#em.getUnitOfWork().unsetIdentity(row);
    return rows.map(toRecord);
  }

  async find(tenantId: string, id: string): Promise<AuditRecord | null> {
    const row = await this.#em.findOne(AuditEvent, { id, tenantId });
    return row ? toRecord(row) : null;
  }

  async chain(tenantId: string | null, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.#em.find(
      AuditEvent,
      { tenantId, seq: { $gt: afterSeq } },
      { orderBy: { seq: 'asc' }, limit },
    );
    for (const row of rows) this.#em.getUnitOfWork().unsetIdentity(row);
    return rows.map(toRecord);
  }

  async retentions(): Promise<{ tenantId: string | null; days: number | null }[]> {
    const rows = await this.#em
      .getConnection()
      .execute<{ tenant_id: string | null; days: number | null }[]>(
        'select e."tenant_id", t."audit_retention_days" as "days" from (select distinct "tenant_id" from "audit_event") e left join "tenant" t on t."id" = e."tenant_id"',
        [],
        'all',
        this.#em.getTransactionContext(),
      );
    return rows.map((row) => ({ tenantId: row.tenant_id, days: row.days }));
  }

  async retentionDays(tenantId: string): Promise<number | null> {
    const tenant = await this.#em.findOne(Tenant, { id: tenantId }, { fields: ['auditRetentionDays'] });
    return tenant?.auditRetentionDays ?? null;
  }

  async setRetentionDays(tenantId: string, days: number | null): Promise<void> {
    await this.#em.nativeUpdate(Tenant, { id: tenantId }, { auditRetentionDays: days });
  }

  async purge(
    tenantId: string | null,
    before: Date,
    limit: number,
  ): Promise<{ deleted: number; throughSeq: number | null }> {
    const rows = await this.#em
      .getConnection()
      .execute<{ seq: string }[]>(
        `delete from "audit_event" where "id" in (select "id" from "audit_event" where ${
          tenantId === null ? '"tenant_id" is null' : '"tenant_id" = ?'
        } and "created_at" < ? order by "seq" limit ?) returning "seq"`,
        tenantId === null ? [before, limit] : [tenantId, before, limit],
        'all',
        this.#em.getTransactionContext(),
      );
    const seqs = rows.map((row) => Number(row.seq));
    return { deleted: seqs.length, throughSeq: seqs.length > 0 ? Math.max(...seqs) : null };
  }
}
