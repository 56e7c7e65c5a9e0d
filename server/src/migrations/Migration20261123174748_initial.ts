import { Migration } from '@mikro-orm/migrations';

export class Migration20261123174748_initial extends Migration {
  override name = 'Migration20261123174748_initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "audit_event" ("id" uuid not null, "tenant_id" uuid null, "actor_type" text not null, "actor_id" text null, "action" text not null, "target_type" text null, "target_id" text null, "ip" text null, "user_agent" text null, "details" jsonb not null default '{}', "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "audit_event_tenant_id_created_at_index" on "audit_event" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `create index "audit_event_actor_id_created_at_index" on "audit_event" ("actor_id", "created_at");`,
    );
    this.addSql(
      `create index "audit_event_action_created_at_index" on "audit_event" ("action", "created_at");`,
    );

    this.addSql(
      `create table "person" ("id" uuid not null, "email" text not null, "email_verified_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "person" add constraint "person_email_unique" unique ("email");`);

    this.addSql(
      `create table "signing_key" ("kid" text not null, "alg" text not null, "public_jwk" jsonb not null, "private_key_iv" bytea not null, "private_key_tag" bytea not null, "private_key_ciphertext" bytea not null, "status" text not null, "created_at" timestamptz not null, "activated_at" timestamptz null, "retired_at" timestamptz null, primary key ("kid"));`,
    );
    this.addSql(
      `create index "signing_key_status_created_at_index" on "signing_key" ("status", "created_at");`,
    );
    this.addSql(
      `create unique index "signing_key_one_active" on "signing_key" ("status") where status = 'active';`,
    );

    this.addSql(
      `create table "tenant" ("id" uuid not null, "code" text not null, "name" text not null, "logo_url" text null, "theme" jsonb not null default '{}', "auth_providers" text[] not null default '{email_otp}', "allow_signup" boolean not null default true, "policy" jsonb null, "policy_version" int not null default 1, "policy_etag" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "tenant" add constraint "tenant_code_unique" unique ("code");`);

    this.addSql(
      `create table "otp_challenge" ("id" uuid not null, "email" text not null, "tenant_id" uuid null, "purpose" text not null, "code_hash" text not null, "expires_at" timestamptz not null, "attempts" int not null default 0, "consumed_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "otp_challenge_email_purpose_created_at_index" on "otp_challenge" ("email", "purpose", "created_at");`,
    );
    this.addSql(`create index "otp_challenge_expires_at_index" on "otp_challenge" ("expires_at");`);

    this.addSql(
      `create table "invite" ("id" uuid not null, "tenant_id" uuid not null, "email" text not null, "role" text not null, "code_hash" text not null, "created_by" uuid null, "accepted_by" uuid null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "invite" add constraint "invite_code_hash_unique" unique ("code_hash");`);
    this.addSql(`create index "invite_tenant_id_email_index" on "invite" ("tenant_id", "email");`);

    this.addSql(
      `create table "tenant_group" ("id" uuid not null, "tenant_id" uuid not null, "name" text not null, "description" text null, "permissions" text[] not null default '{}', "built_in" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "tenant_group" add constraint "tenant_group_tenant_id_name_unique" unique ("tenant_id", "name");`,
    );

    this.addSql(
      `create table "api_key" ("id" uuid not null, "tenant_id" uuid not null, "name" text not null, "prefix" text not null, "key_hash" text not null, "role" text not null default 'admin', "created_by" uuid null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "expires_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);
    this.addSql(
      `create index "api_key_tenant_id_created_at_index" on "api_key" ("tenant_id", "created_at");`,
    );

    this.addSql(
      `create table "account" ("id" uuid not null, "person_id" uuid not null, "tenant_id" uuid not null, "role" text not null default 'member', "active" boolean not null default true, "grant_version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "account_tenant_id_created_at_index" on "account" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `alter table "account" add constraint "account_person_id_tenant_id_unique" unique ("person_id", "tenant_id");`,
    );

    this.addSql(
      `create table "session" ("id" uuid not null, "account_id" uuid not null, "tenant_id" uuid not null, "person_id" uuid not null, "amr" text[] not null default '{}', "ip" text null, "user_agent" text null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, "absolute_expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoke_reason" text null, primary key ("id"));`,
    );
    this.addSql(`create index "session_account_id_index" on "session" ("account_id");`);
    this.addSql(`create index "session_person_id_index" on "session" ("person_id");`);
    this.addSql(`create index "session_tenant_id_index" on "session" ("tenant_id");`);

    this.addSql(
      `create table "refresh_token" ("id" uuid not null, "session_id" uuid not null, "token_hash" text not null, "parent_id" uuid null, "replaced_by_id" uuid null, "used_at" timestamptz null, "created_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(`create index "refresh_token_session_id_index" on "refresh_token" ("session_id");`);

    this.addSql(
      `create table "group_membership" ("id" uuid not null, "group_id" uuid not null, "account_id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "group_membership_account_id_index" on "group_membership" ("account_id");`);
    this.addSql(`create index "group_membership_tenant_id_index" on "group_membership" ("tenant_id");`);
    this.addSql(
      `alter table "group_membership" add constraint "group_membership_group_id_account_id_unique" unique ("group_id", "account_id");`,
    );

    this.addSql(
      `alter table "audit_event" add constraint "audit_event_actor_type_check" check ("actor_type" in ('account', 'api_key', 'person', 'anonymous', 'system'));`,
    );

    this.addSql(`alter table "person" add constraint "person_email_check" check (email = lower(email));`);

    this.addSql(
      `alter table "signing_key" add constraint "signing_key_status_check" check ("status" in ('pending', 'active', 'retired'));`,
    );

    this.addSql(
      `alter table "otp_challenge" add constraint "otp_challenge_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "otp_challenge" add constraint "otp_challenge_email_check" check (email = lower(email));`,
    );

    this.addSql(
      `alter table "invite" add constraint "invite_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "tenant_group" add constraint "tenant_group_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "api_key" add constraint "api_key_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "account" add constraint "account_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "account" add constraint "account_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "session" add constraint "session_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "session" add constraint "session_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "session" add constraint "session_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "refresh_token" add constraint "refresh_token_session_id_foreign" foreign key ("session_id") references "session" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "group_membership" add constraint "group_membership_group_id_foreign" foreign key ("group_id") references "tenant_group" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "group_membership" add constraint "group_membership_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "group_membership" add constraint "group_membership_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "account" drop constraint "account_person_id_foreign";`);
    this.addSql(`alter table "session" drop constraint "session_person_id_foreign";`);
    this.addSql(`alter table "otp_challenge" drop constraint "otp_challenge_tenant_id_foreign";`);
    this.addSql(`alter table "invite" drop constraint "invite_tenant_id_foreign";`);
    this.addSql(`alter table "tenant_group" drop constraint "tenant_group_tenant_id_foreign";`);
    this.addSql(`alter table "api_key" drop constraint "api_key_tenant_id_foreign";`);
    this.addSql(`alter table "account" drop constraint "account_tenant_id_foreign";`);
    this.addSql(`alter table "session" drop constraint "session_tenant_id_foreign";`);
    this.addSql(`alter table "group_membership" drop constraint "group_membership_tenant_id_foreign";`);
    this.addSql(`alter table "group_membership" drop constraint "group_membership_group_id_foreign";`);
    this.addSql(`alter table "session" drop constraint "session_account_id_foreign";`);
    this.addSql(`alter table "group_membership" drop constraint "group_membership_account_id_foreign";`);
    this.addSql(`alter table "refresh_token" drop constraint "refresh_token_session_id_foreign";`);

    this.addSql(`drop table if exists "audit_event" cascade;`);
    this.addSql(`drop table if exists "person" cascade;`);
    this.addSql(`drop table if exists "signing_key" cascade;`);
    this.addSql(`drop table if exists "tenant" cascade;`);
    this.addSql(`drop table if exists "otp_challenge" cascade;`);
    this.addSql(`drop table if exists "invite" cascade;`);
    this.addSql(`drop table if exists "tenant_group" cascade;`);
    this.addSql(`drop table if exists "api_key" cascade;`);
    this.addSql(`drop table if exists "account" cascade;`);
    this.addSql(`drop table if exists "session" cascade;`);
    this.addSql(`drop table if exists "refresh_token" cascade;`);
    this.addSql(`drop table if exists "group_membership" cascade;`);
  }
}
