import { Migration } from '@mikro-orm/migrations';

/** Usage counters per tenant, metric and UTC day (#15): authorize calls, for billing. */
export class Migration20261206181100_usage_counter extends Migration {
  override name = 'Migration20261206181100_usage_counter';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "usage_counter" ("id" uuid not null, "tenant_id" uuid not null, "metric" text not null, "day" date not null, "count" bigint not null default 0, primary key ("id"));`,
    );
    this.addSql(
      `alter table "usage_counter" add constraint "usage_counter_tenant_id_metric_day_unique" unique ("tenant_id", "metric", "day");`,
    );
    this.addSql(
      `alter table "usage_counter" add constraint "usage_counter_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "usage_counter";`);
  }
}
