import { Migration } from '@mikro-orm/migrations';

/**
 * Applications (machine clients, #18): their hashed secrets and scopes, the client tokens revoked before
 * they expire, and `application` as an audit actor.
 */
export class Migration20261206182000_machine_clients extends Migration {
  override name = 'Migration20261206182000_machine_clients';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "revoked_client_token" ("jti" text not null, "tenant_id" uuid not null, "application_id" uuid not null, "expires_at" timestamptz not null, primary key ("jti"));`,
    );
    this.addSql(
      `create index "revoked_client_token_expires_at_index" on "revoked_client_token" ("expires_at");`,
    );

    this.addSql(
      `create table "application" ("id" uuid not null, "tenant_id" uuid not null, "name" text not null, "description" text null, "client_id" text not null, "secret_prefix" text not null, "secret_hash" text not null, "scopes" text[] not null default '{}', "created_by" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "secret_rotated_at" timestamptz not null, "last_used_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "application" add constraint "application_client_id_unique" unique ("client_id");`,
    );
    this.addSql(
      `alter table "application" add constraint "application_secret_hash_unique" unique ("secret_hash");`,
    );
    this.addSql(
      `create index "application_tenant_id_created_at_index" on "application" ("tenant_id", "created_at");`,
    );

    // 'platform' comes from Migration20261206181000_tenant_status (the operator, #15), which runs first.
    this.addSql(`alter table "audit_event" drop constraint "audit_event_actor_type_check";`);
    this.addSql(
      `alter table "audit_event" add constraint "audit_event_actor_type_check" check ("actor_type" in ('account', 'api_key', 'person', 'anonymous', 'system', 'application', 'platform'));`,
    );

    this.addSql(
      `alter table "application" add constraint "application_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "revoked_client_token" cascade;`);
    this.addSql(`drop table if exists "application" cascade;`);
    this.addSql(`delete from "audit_event" where "actor_type" = 'application';`);
    this.addSql(`alter table "audit_event" drop constraint "audit_event_actor_type_check";`);
    this.addSql(
      `alter table "audit_event" add constraint "audit_event_actor_type_check" check ("actor_type" in ('account', 'api_key', 'person', 'anonymous', 'system', 'platform'));`,
    );
  }
}
