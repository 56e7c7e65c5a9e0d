import { Migration } from '@mikro-orm/migrations';

/** The KYC module (#16): tenant settings, verification sessions, persons' verifications, processed provider events. */
export class Migration20261206187000_kyc_module extends Migration {
  override name = 'Migration20261206187000_kyc_module';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "person_verification" ("person_id" uuid not null, "status" text not null, "session_id" uuid not null, "tenant_id" uuid not null, "decided_at" timestamptz not null, primary key ("person_id"));`,
    );

    this.addSql(
      `create table "kyc_setting" ("tenant_id" uuid not null, "enabled" boolean not null default false, "provider" text not null, "group_name" text not null, "accept_other_tenants" boolean not null default false, "template_id" text null, "environment_id" text null, "webhook_secret_sealed" text null, "api_key_sealed" text null, "updated_at" timestamptz not null, primary key ("tenant_id"));`,
    );

    this.addSql(
      `create table "kyc_provider_event" ("tenant_id" uuid not null, "provider" text not null, "event_id" text not null, "processed_at" timestamptz not null, primary key ("tenant_id", "provider", "event_id"));`,
    );

    this.addSql(
      `create table "kyc_session" ("id" uuid not null, "tenant_id" uuid not null, "account_id" uuid not null, "person_id" uuid not null, "provider" text not null, "status" text not null, "token_hash" text null, "basis_session_id" uuid null, "created_at" timestamptz not null, "decided_at" timestamptz null, "decision_event_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "kyc_session" add constraint "kyc_session_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `create index "kyc_session_tenant_id_account_id_created_at_index" on "kyc_session" ("tenant_id", "account_id", "created_at");`,
    );
    this.addSql(`create index "kyc_session_basis_session_id_index" on "kyc_session" ("basis_session_id");`);

    this.addSql(
      `alter table "person_verification" add constraint "person_verification_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "kyc_setting" add constraint "kyc_setting_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "kyc_provider_event" add constraint "kyc_provider_event_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "kyc_session" add constraint "kyc_session_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "kyc_session" add constraint "kyc_session_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "kyc_session" add constraint "kyc_session_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "person_verification" cascade;`);
    this.addSql(`drop table if exists "kyc_setting" cascade;`);
    this.addSql(`drop table if exists "kyc_provider_event" cascade;`);
    this.addSql(`drop table if exists "kyc_session" cascade;`);
  }
}
