import { type AuditRecord, chainEvent } from '@enforcer/core';
import { Migration } from '@mikro-orm/migrations';

/** Rows re-chained per statement round trip. */
const RECHAIN_PAGE = 1000;

/**
 * Privacy (#15): the audit chain hashes an event's personal fields (ip, user agent, personal details keys)
 * through a salted commitment (`personal_salt`, `personal_digest`), so that erasing a person's data from
 * their events leaves the chain verifiable. Every existing event is re-chained here with the new version,
 * per tenant in `seq` order, keeping each event's place: `last_hash` values kept from earlier verifications
 * no longer match (docs/audit.md says so).
 */
export class Migration20261206180000_audit_personal_commitment extends Migration {
  override name = 'Migration20261206180000_audit_personal_commitment';

  override async up(): Promise<void> {
    await this.execute(
      `alter table "audit_event" add column "personal_salt" text null, add column "personal_digest" text null;`,
    );
    const tenants = await this.execute(`select distinct "tenant_id" from "audit_event";`);
    for (const { tenant_id: tenantId } of tenants as { tenant_id: string | null }[]) {
      await this.#rechain(tenantId);
    }
    await this.execute(`alter table "audit_event" alter column "personal_digest" set not null;`);
  }

  async #rechain(tenantId: string | null): Promise<void> {
    let head: { seq: number; hash: string } | null = null;
    let afterSeq = 0;
    for (;;) {
      const rows = (await this.execute(
        `select * from "audit_event" where ${tenantId === null ? `"tenant_id" is null` : `"tenant_id" = ?`} and "seq" > ? order by "seq" limit ${RECHAIN_PAGE};`,
        tenantId === null ? [afterSeq] : [tenantId, afterSeq],
      )) as Record<string, unknown>[];
      for (const row of rows) {
        const seq = Number(row.seq);
        // The chain keeps its numbering and, for its oldest kept event, the link to a purged one.
        const prevHash = head?.hash ?? (row.prev_hash as string | null) ?? null;
        const sealed: AuditRecord = chainEvent(
          row.id as string,
          {
            action: row.action as string,
            outcome: row.outcome as AuditRecord['outcome'],
            actorType: row.actor_type as AuditRecord['actorType'],
            actorId: (row.actor_id as string | null) ?? null,
            tenantId,
            targetType: (row.target_type as string | null) ?? null,
            targetId: (row.target_id as string | null) ?? null,
            ip: (row.ip as string | null) ?? null,
            userAgent: (row.user_agent as string | null) ?? null,
            requestId: (row.request_id as string | null) ?? null,
            details: (row.details as Record<string, unknown>) ?? {},
            createdAt: new Date(row.created_at as Date),
          },
          prevHash === null ? null : { seq: seq - 1, hash: prevHash },
        );
        if (sealed.seq !== seq)
          throw new Error(`audit chain of ${tenantId ?? 'no tenant'} is broken at ${seq}`);
        await this.execute(
          `update "audit_event" set "prev_hash" = ?, "hash" = ?, "personal_salt" = ?, "personal_digest" = ? where "id" = ?;`,
          [sealed.prevHash, sealed.hash, sealed.personalSalt, sealed.personalDigest, sealed.id],
        );
        head = { seq, hash: sealed.hash };
        afterSeq = seq;
      }
      if (rows.length < RECHAIN_PAGE) return;
    }
  }

  override down(): void | Promise<void> {
    // v1 hashes are not restored: verification after a down migration reports the first event.
    this.addSql(`alter table "audit_event" drop column "personal_salt", drop column "personal_digest";`);
  }
}
