import { Migration } from '@mikro-orm/migrations';

/**
 * The platform operator (#15): a tenant's status (`active`, `suspended`), why and when it last changed.
 * A status change notifies the principal caches (`t:<tenant id>`), as a policy change does, so a
 * suspension refuses the tenant's access tokens on every server process at once.
 */
export class Migration20261206181000_tenant_status extends Migration {
  override name = 'Migration20261206181000_tenant_status';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "tenant" add "status" text not null default 'active', add "status_reason" text null, add "status_changed_at" timestamptz null;`,
    );
    this.addSql(
      `alter table "tenant" add constraint "tenant_status_check" check ("status" in ('active', 'suspended'));`,
    );
    this.addSql(`create index "tenant_created_at_id_index" on "tenant" ("created_at", "id");`);
    this.addSql(
      `alter table "audit_event" drop constraint if exists "audit_event_actor_type_check", add constraint "audit_event_actor_type_check" check ("actor_type" in ('account', 'api_key', 'person', 'anonymous', 'system', 'platform'));`,
    );
    this.addSql(`create or replace function "enforcer_notify_policy"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or old."policy_version" is distinct from new."policy_version"
         or old."status" is distinct from new."status" then
        perform pg_notify('enforcer_changes', 't:' || old."id");
      end if;
      return null;
    end $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create or replace function "enforcer_notify_policy"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or old."policy_version" is distinct from new."policy_version" then
        perform pg_notify('enforcer_changes', 't:' || old."id");
      end if;
      return null;
    end $$;`);
    this.addSql(`delete from "audit_event" where "actor_type" = 'platform';`);
    this.addSql(
      `alter table "audit_event" drop constraint if exists "audit_event_actor_type_check", add constraint "audit_event_actor_type_check" check ("actor_type" in ('account', 'api_key', 'person', 'anonymous', 'system'));`,
    );
    this.addSql(`drop index if exists "tenant_created_at_id_index";`);
    this.addSql(
      `alter table "tenant" drop constraint "tenant_status_check", drop column "status", drop column "status_reason", drop column "status_changed_at";`,
    );
  }
}
