import { type AuthorizeCallCount, SIGN_IN_ACTION, type UsageFigures, type UsageStore } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Usage counters (`usage_counter`) and figures derived from `account`, `audit_event` and `session`. */
export class PostgresUsageStore implements UsageStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async addAuthorizeCalls(counts: readonly AuthorizeCallCount[]): Promise<void> {
    if (counts.length === 0) return;
    // One statement for the whole flush; concurrent processes add up through the unique key.
    await this.#em.execute(
      `insert into "usage_counter" ("id", "tenant_id", "metric", "day", "count")
       select gen_random_uuid(), c.tenant_id::uuid, 'authorize', c.day::date, c.count::bigint
         from jsonb_to_recordset(?::jsonb) as c(tenant_id text, day text, count bigint)
         -- A tenant deleted meanwhile has no counter to keep.
         where exists (select 1 from "tenant" t where t.id = c.tenant_id::uuid)
       on conflict ("tenant_id", "metric", "day")
       do update set "count" = "usage_counter"."count" + excluded."count"`,
      [JSON.stringify(counts.map((c) => ({ tenant_id: c.tenantId, day: c.day, count: c.count })))],
    );
  }

  async figures(tenantId: string, from: Date, to: Date): Promise<UsageFigures> {
    const [row] = (await this.#em.execute(
      `select
         (select count(*) from "account" where "tenant_id" = ? and "created_at" < ? and "status" <> 'deleted') as accounts,
         (select count(*) from "audit_event"
           where "tenant_id" = ? and "action" = ? and "created_at" >= ? and "created_at" < ?) as sign_ins,
         (select count(*) from (
            select "actor_id" as id from "audit_event"
             where "tenant_id" = ? and "action" = ? and "created_at" >= ? and "created_at" < ? and "actor_id" is not null
            union
            select "account_id"::text from "session"
             where "tenant_id" = ? and "actor_account_id" is null and "last_used_at" >= ? and "last_used_at" < ?
          ) as active) as active_accounts,
         (select coalesce(sum("count"), 0) from "usage_counter"
           where "tenant_id" = ? and "metric" = 'authorize' and "day" >= ?::date and "day" < ?::date) as authorize_calls`,
      [
        tenantId,
        to,
        tenantId,
        SIGN_IN_ACTION,
        from,
        to,
        tenantId,
        SIGN_IN_ACTION,
        from,
        to,
        tenantId,
        from,
        to,
        tenantId,
        from.toISOString().slice(0, 10),
        to.toISOString().slice(0, 10),
      ],
    )) as Array<Record<'accounts' | 'sign_ins' | 'active_accounts' | 'authorize_calls', string | number>>;
    return {
      accounts: Number(row?.accounts ?? 0),
      activeAccounts: Number(row?.active_accounts ?? 0),
      signIns: Number(row?.sign_ins ?? 0),
      authorizeCalls: Number(row?.authorize_calls ?? 0),
    };
  }
}
