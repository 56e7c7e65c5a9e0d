import { Migration } from '@mikro-orm/migrations';

export class Migration20261123182913_passwords_mfa_magic_links_throttle extends Migration {
  override name = 'Migration20261123182913_passwords_mfa_magic_links_throttle';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "auth_throttle" ("key" text not null, "kind" text not null, "tenant_id" uuid null, "identifier" text null, "failures" int not null default 0, "last_failure_at" timestamptz null, "blocked_until" timestamptz null, "locked_at" timestamptz null, "updated_at" timestamptz not null, primary key ("key"));`,
    );
    this.addSql(
      `create index "auth_throttle_tenant_id_identifier_index" on "auth_throttle" ("tenant_id", "identifier");`,
    );
    this.addSql(`create index "auth_throttle_updated_at_index" on "auth_throttle" ("updated_at");`);

    this.addSql(
      `create table "password_credential" ("id" uuid not null, "person_id" uuid not null, "hash" text not null, "created_at" timestamptz not null, "changed_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "password_credential" add constraint "password_credential_person_id_unique" unique ("person_id");`,
    );

    this.addSql(
      `create table "recovery_code" ("id" uuid not null, "person_id" uuid not null, "code_hash" text not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "recovery_code" add constraint "recovery_code_code_hash_unique" unique ("code_hash");`,
    );
    this.addSql(`create index "recovery_code_person_id_index" on "recovery_code" ("person_id");`);

    this.addSql(
      `create table "magic_link_token" ("id" uuid not null, "token_hash" text not null, "email" text not null, "tenant_id" uuid not null, "expires_at" timestamptz not null, "consumed_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "magic_link_token" add constraint "magic_link_token_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `create index "magic_link_token_tenant_id_email_created_at_index" on "magic_link_token" ("tenant_id", "email", "created_at");`,
    );
    this.addSql(`create index "magic_link_token_expires_at_index" on "magic_link_token" ("expires_at");`);

    this.addSql(
      `create table "magic_link_setting" ("tenant_id" uuid not null, "redirect_urls" text[] not null default '{}', "updated_at" timestamptz not null, primary key ("tenant_id"));`,
    );

    this.addSql(
      `create table "mfa_challenge" ("id" uuid not null, "token_hash" text not null, "account_id" uuid not null, "person_id" uuid not null, "tenant_id" uuid not null, "provider" text not null, "amr" text[] not null default '{}', "attempts" int not null default 0, "ip" text null, "user_agent" text null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "consumed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "mfa_challenge" add constraint "mfa_challenge_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(`create index "mfa_challenge_expires_at_index" on "mfa_challenge" ("expires_at");`);
    this.addSql(`create index "mfa_challenge_person_id_index" on "mfa_challenge" ("person_id");`);

    this.addSql(
      `create table "totp_credential" ("id" uuid not null, "person_id" uuid not null, "secret_sealed" text not null, "last_used_step" bigint null, "created_at" timestamptz not null, "enabled_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "totp_credential" add constraint "totp_credential_person_id_unique" unique ("person_id");`,
    );

    this.addSql(`alter table "session" add "mfa_at" timestamptz null;`);

    this.addSql(
      `alter table "auth_throttle" add constraint "auth_throttle_kind_check" check ("kind" in ('account', 'client'));`,
    );

    this.addSql(
      `alter table "password_credential" add constraint "password_credential_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "recovery_code" add constraint "recovery_code_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "magic_link_token" add constraint "magic_link_token_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "magic_link_token" add constraint "magic_link_token_email_check" check (email = lower(email));`,
    );

    this.addSql(
      `alter table "magic_link_setting" add constraint "magic_link_setting_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "mfa_challenge" add constraint "mfa_challenge_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "mfa_challenge" add constraint "mfa_challenge_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "mfa_challenge" add constraint "mfa_challenge_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "totp_credential" add constraint "totp_credential_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "auth_throttle" cascade;`);
    this.addSql(`drop table if exists "password_credential" cascade;`);
    this.addSql(`drop table if exists "recovery_code" cascade;`);
    this.addSql(`drop table if exists "magic_link_token" cascade;`);
    this.addSql(`drop table if exists "magic_link_setting" cascade;`);
    this.addSql(`drop table if exists "mfa_challenge" cascade;`);
    this.addSql(`drop table if exists "totp_credential" cascade;`);
    this.addSql(`alter table "session" drop column "mfa_at";`);
  }
}
