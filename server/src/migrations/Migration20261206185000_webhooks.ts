import { Migration } from '@mikro-orm/migrations';

/**
 * Outbound webhooks (#16): tenants' endpoints (secrets sealed), the outbox of events written with the change
 * they describe, and each event's deliveries to each endpoint.
 */
export class Migration20261206185000_webhooks extends Migration {
  override name = 'Migration20261206185000_webhooks';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "webhook_endpoint" ("id" uuid not null, "tenant_id" uuid not null, "url" text not null, "event_types" text[] not null, "description" text null, "secret_sealed" text not null, "previous_secret_sealed" text null, "previous_secret_expires_at" timestamptz null, "enabled" boolean not null default true, "disabled_reason" text null, "failing_since" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "webhook_endpoint_tenant_id_created_at_index" on "webhook_endpoint" ("tenant_id", "created_at");`,
    );

    this.addSql(
      `create table "webhook_event" ("id" uuid not null, "tenant_id" uuid not null, "type" text not null, "payload" text not null, "created_at" timestamptz not null, "fanned_out_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "webhook_event_fanned_out_at_created_at_index" on "webhook_event" ("fanned_out_at", "created_at");`,
    );

    this.addSql(
      `create table "webhook_delivery" ("id" uuid not null, "tenant_id" uuid not null, "endpoint_id" uuid not null, "event_id" uuid not null, "event_type" text not null, "status" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz null, "locked_until" timestamptz null, "last_attempt_at" timestamptz null, "response_status" int null, "response_body" text null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "webhook_delivery_endpoint_id_created_at_index" on "webhook_delivery" ("endpoint_id", "created_at");`,
    );
    this.addSql(
      `create index "webhook_delivery_status_next_attempt_at_index" on "webhook_delivery" ("status", "next_attempt_at");`,
    );

    this.addSql(
      `alter table "webhook_endpoint" add constraint "webhook_endpoint_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_event" add constraint "webhook_event_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoint" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_event_id_foreign" foreign key ("event_id") references "webhook_event" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "webhook_delivery";`);
    this.addSql(`drop table if exists "webhook_event";`);
    this.addSql(`drop table if exists "webhook_endpoint";`);
  }
}
