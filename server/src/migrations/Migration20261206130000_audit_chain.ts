import { type AuditRecord, chainEvent, outcomeOfAction } from '@enforcer/core';
import { Migration } from '@mikro-orm/migrations';

/** Rows chained per statement round trip while chaining the events written before this migration. */
const BACKFILL_PAGE = 1000;

/**
 * Audit you can read (#15): each event's outcome and request id, each tenant's hash chain (seq, prev_hash,
 * hash), the tenant's retention setting. Events written before are chained here, per tenant in the order
 * they were written (created_at, id), with the same function the server chains new ones with.
 */
export class Migration20261206130000_audit_chain extends Migration {
  override name = 'Migration20261206130000_audit_chain';

  override async up(): Promise<void> {
    await this.execute(
      `alter table "audit_event" add column "outcome" text null, add column "request_id" text null, add column "seq" bigint null, add column "prev_hash" text null, add column "hash" text null;`,
    );
    const tenants = await this.execute(`select distinct "tenant_id" from "audit_event";`);
    for (const { tenant_id: tenantId } of tenants as { tenant_id: string | null }[]) {
      await this.#chainTenant(tenantId);
    }
    await this.execute(
      `alter table "audit_event" alter column "outcome" set not null, alter column "seq" set not null, alter column "hash" set not null;`,
    );
    await this.execute(
      `alter table "audit_event" add constraint "audit_event_outcome_check" check ("outcome" in ('success', 'failure'));`,
    );
    await this.execute(`drop index "audit_event_tenant_id_created_at_index";`);
    await this.execute(
      `create index "audit_event_tenant_id_created_at_id_index" on "audit_event" ("tenant_id", "created_at", "id");`,
    );
    await this.execute(
      `create unique index "audit_event_tenant_id_seq_unique" on "audit_event" ("tenant_id", "seq") nulls not distinct;`,
    );
    await this.execute(`alter table "tenant" add column "audit_retention_days" int null;`);
  }

  async #chainTenant(tenantId: string | null): Promise<void> {
    let head: { seq: number; hash: string } | null = null;
    let after: { created_at: Date; id: string } | null = null;
    for (;;) {
      const params: unknown[] = tenantId === null ? [] : [tenantId];
      let where = tenantId === null ? `"tenant_id" is null` : `"tenant_id" = ?`;
      if (after) {
        where += ` and ("created_at", "id") > (?, ?)`;
        params.push(after.created_at, after.id);
      }
      const rows = (await this.execute(
        `select * from "audit_event" where ${where} order by "created_at", "id" limit ${BACKFILL_PAGE};`,
        params,
      )) as Record<string, unknown>[];
      for (const row of rows) {
        const action = row.action as string;
        const event: AuditRecord = chainEvent(
          row.id as string,
          {
            action,
            outcome: outcomeOfAction(action),
            actorType: row.actor_type as AuditRecord['actorType'],
            actorId: (row.actor_id as string | null) ?? null,
            tenantId,
            targetType: (row.target_type as string | null) ?? null,
            targetId: (row.target_id as string | null) ?? null,
            ip: (row.ip as string | null) ?? null,
            userAgent: (row.user_agent as string | null) ?? null,
            requestId: null,
            details: (row.details as Record<string, unknown>) ?? {},
            createdAt: new Date(row.created_at as Date),
          },
          head,
        );
        await this.execute(
          `update "audit_event" set "outcome" = ?, "seq" = ?, "prev_hash" = ?, "hash" = ? where "id" = ?;`,
          [event.outcome, event.seq, event.prevHash, event.hash, event.id],
        );
        head = { seq: event.seq, hash: event.hash };
      }
      if (rows.length < BACKFILL_PAGE) return;
      const last = rows.at(-1)!;
      after = { created_at: last.created_at as Date, id: last.id as string };
    }
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "tenant" drop column "audit_retention_days";`);
    this.addSql(`drop index "audit_event_tenant_id_seq_unique";`);
    this.addSql(`drop index "audit_event_tenant_id_created_at_id_index";`);
    this.addSql(
      `create index "audit_event_tenant_id_created_at_index" on "audit_event" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `alter table "audit_event" drop column "outcome", drop column "request_id", drop column "seq", drop column "prev_hash", drop column "hash";`,
    );
  }
}
