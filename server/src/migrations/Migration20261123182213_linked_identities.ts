import { Migration } from '@mikro-orm/migrations';

export class Migration20261123182213_linked_identities extends Migration {
  override name = 'Migration20261123182213_linked_identities';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "passkey_credential" ("id" uuid not null, "person_id" uuid not null, "credential_id" text not null, "public_key" text not null, "counter" bigint not null default '0', "transports" text[] not null default '{}', "device_type" text not null, "backed_up" boolean not null, "rp_id" text not null, "aaguid" text null, "name" text null, "created_at" timestamptz not null, "last_used_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "passkey_credential" add constraint "passkey_credential_credential_id_unique" unique ("credential_id");`,
    );
    this.addSql(`create index "passkey_credential_person_id_index" on "passkey_credential" ("person_id");`);

    this.addSql(
      `create table "person_identity" ("id" uuid not null, "person_id" uuid not null, "provider" text not null, "subject" text not null, "email" text null, "verified_at" timestamptz not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "person_identity_person_id_index" on "person_identity" ("person_id");`);
    this.addSql(
      `alter table "person_identity" add constraint "person_identity_provider_subject_unique" unique ("provider", "subject");`,
    );

    this.addSql(
      `create table "auth_challenge" ("id" uuid not null, "purpose" text not null, "value_hash" text not null, "tenant_id" uuid null, "person_id" uuid null, "data" jsonb null, "expires_at" timestamptz not null, "consumed_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "auth_challenge_expires_at_index" on "auth_challenge" ("expires_at");`);
    this.addSql(
      `alter table "auth_challenge" add constraint "auth_challenge_purpose_value_hash_unique" unique ("purpose", "value_hash");`,
    );

    this.addSql(`alter table "person" alter column "email" drop not null;`);

    this.addSql(`alter table "tenant" add "auth_settings" jsonb not null default '{}';`);

    this.addSql(
      `alter table "passkey_credential" add constraint "passkey_credential_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "person_identity" add constraint "person_identity_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "person_identity" add constraint "person_identity_provider_check" check (provider in ('phone_otp', 'google', 'siwe', 'privy'));`,
    );

    this.addSql(
      `alter table "auth_challenge" add constraint "auth_challenge_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "auth_challenge" add constraint "auth_challenge_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "passkey_credential" cascade;`);
    this.addSql(`drop table if exists "person_identity" cascade;`);
    this.addSql(`drop table if exists "auth_challenge" cascade;`);
    this.addSql(`alter table "person" alter column "email" set not null;`);
    this.addSql(`alter table "tenant" drop column "auth_settings";`);
  }
}
