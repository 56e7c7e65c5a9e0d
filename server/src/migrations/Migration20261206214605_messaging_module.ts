import { Migration } from '@mikro-orm/migrations';

/** The messaging module (#16): tenants' sender settings and templates, the mail outbox. */
export class Migration20261206214605_messaging_module extends Migration {
  override name = 'Migration20261206214605_messaging_module';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "outbound_message" ("id" uuid not null, "tenant_id" uuid null, "kind" text not null, "payload_sealed" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "locked_until" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "outbound_message_next_attempt_at_index" on "outbound_message" ("next_attempt_at");`,
    );

    this.addSql(
      `create table "messaging_setting" ("tenant_id" uuid not null, "smtp_url" text null, "smtp_password_sealed" text null, "from_address" text null, "default_locale" text not null, "sms_gateway_url" text null, "sms_gateway_token_sealed" text null, "sms_from" text null, "updated_at" timestamptz not null, primary key ("tenant_id"));`,
    );

    this.addSql(
      `create table "message_template" ("tenant_id" uuid not null, "kind" text not null, "locale" text not null, "subject" text not null, "text_body" text not null, "html_body" text null, "updated_at" timestamptz not null, primary key ("tenant_id", "kind", "locale"));`,
    );

    this.addSql(
      `alter table "outbound_message" add constraint "outbound_message_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "messaging_setting" add constraint "messaging_setting_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "message_template" add constraint "message_template_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "outbound_message" cascade;`);
    this.addSql(`drop table if exists "messaging_setting" cascade;`);
    this.addSql(`drop table if exists "message_template" cascade;`);
  }
}
