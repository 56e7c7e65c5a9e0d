import { Migration } from '@mikro-orm/migrations';

/** The two account triggers' functions (Migration20261123175308, Migration20261123181000), over `column`. */
const accountTriggers = (column: 'role' | 'roles') => [
  `create or replace function "revocation_event_on_account"() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    if (old."${column}", old."active", old."grant_version") is distinct from (new."${column}", new."active", new."grant_version") then
      perform "revocation_event_record"(new."tenant_id", 'account_changed', null, new."id");
    end if;
  else
    perform "revocation_event_record"(old."tenant_id", 'account_changed', null, old."id");
  end if;
  return null;
end $$;`,
  `create or replace function "enforcer_notify_account"() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or (old."${column}", old."active", old."grant_version", old."tenant_id", old."person_id")
       is distinct from (new."${column}", new."active", new."grant_version", new."tenant_id", new."person_id") then
    perform pg_notify('enforcer_changes', 'a:' || old."id");
  end if;
  return null;
end $$;`,
];

/**
 * Several roles per account (#14): `roles` (text[], grant order) holds them all, each existing account's
 * role first and only. `role` stays as the primary role, `roles[1]` (a check keeps them equal): the
 * `account` resource's `role` attribute is answered by that column in list filters. The revocation-feed
 * and change-notification triggers watch `roles` now (a role added leaves `role` as it was).
 */
export class Migration20261206120000_account_roles extends Migration {
  override name = 'Migration20261206120000_account_roles';

  override up(): void | Promise<void> {
    this.addSql(`alter table "account" add column "roles" text[] not null default '{member}';`);
    this.addSql(`update "account" set "roles" = array["role"];`);
    this.addSql(
      `alter table "account" add constraint "account_role_check" check ("role" = "roles"[1] and cardinality("roles") > 0);`,
    );
    for (const sql of accountTriggers('roles')) this.addSql(sql);
  }

  override down(): void | Promise<void> {
    for (const sql of accountTriggers('role')) this.addSql(sql);
    this.addSql(`alter table "account" drop constraint "account_role_check";`);
    this.addSql(`alter table "account" drop column "roles";`);
  }
}
