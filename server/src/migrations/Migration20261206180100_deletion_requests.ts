import { Migration } from '@mikro-orm/migrations';

/** Privacy (#15): persons' deletion requests and each tenant's grace period. */
export class Migration20261206180100_deletion_requests extends Migration {
  override name = 'Migration20261206180100_deletion_requests';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "deletion_request" ("id" uuid not null, "tenant_id" uuid not null, "account_id" uuid not null, "person_id" uuid not null, "status" text check ("status" in ('pending', 'cancelled', 'completed')) not null, "created_at" timestamptz not null, "scheduled_for" timestamptz not null, "cancelled_at" timestamptz null, "completed_at" timestamptz null, "processed_by_type" text null, "processed_by_id" text null, primary key ("id"));`,
    );
    this.addSql(
      `create index "deletion_request_tenant_id_created_at_id_index" on "deletion_request" ("tenant_id", "created_at", "id");`,
    );
    this.addSql(
      `create index "deletion_request_status_scheduled_for_index" on "deletion_request" ("status", "scheduled_for");`,
    );
    this.addSql(
      `create unique index "deletion_request_person_pending_unique" on "deletion_request" ("person_id") where "status" = 'pending';`,
    );
    this.addSql(`alter table "tenant" add column "deletion_grace_days" int null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "tenant" drop column "deletion_grace_days";`);
    this.addSql(`drop table if exists "deletion_request" cascade;`);
  }
}
