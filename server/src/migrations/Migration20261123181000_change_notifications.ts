import { Migration } from '@mikro-orm/migrations';

/**
 * Change notifications for the servers' principal caches (server/src/plugins/principal-cache.ts).
 * Sent by triggers, so no code path can forget them, and delivered at commit, so a
 * listener never hears of a change that did not happen. Payloads: `s:<session id>`,
 * `a:<account id>`, `t:<tenant id>`.
 */
export class Migration20261123181000_change_notifications extends Migration {
  override name = 'Migration20261123181000_change_notifications';

  override up(): void | Promise<void> {
    this.addSql(`create function "enforcer_notify_session"() returns trigger language plpgsql as $$
    begin
      perform pg_notify('enforcer_changes', 's:' || old."id");
      return null;
    end $$;`);
    this.addSql(
      `create trigger "enforcer_notify_session_changed" after update of "revoked_at" or delete on "session" for each row execute function "enforcer_notify_session"();`,
    );

    this.addSql(`create function "enforcer_notify_account"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or (old."role", old."active", old."grant_version", old."tenant_id", old."person_id")
           is distinct from (new."role", new."active", new."grant_version", new."tenant_id", new."person_id") then
        perform pg_notify('enforcer_changes', 'a:' || old."id");
      end if;
      return null;
    end $$;`);
    this.addSql(
      `create trigger "enforcer_notify_account_changed" after update or delete on "account" for each row execute function "enforcer_notify_account"();`,
    );

    this.addSql(`create function "enforcer_notify_membership"() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform pg_notify('enforcer_changes', 'a:' || old."account_id");
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        perform pg_notify('enforcer_changes', 'a:' || new."account_id");
      end if;
      return null;
    end $$;`);
    this.addSql(
      `create trigger "enforcer_notify_membership_changed" after insert or update or delete on "group_membership" for each row execute function "enforcer_notify_membership"();`,
    );

    // A group renamed or deleted changes the group names of its members; a policy change, every decision.
    this.addSql(`create function "enforcer_notify_tenant"() returns trigger language plpgsql as $$
    begin
      perform pg_notify('enforcer_changes', 't:' || old."tenant_id");
      return null;
    end $$;`);
    this.addSql(
      `create trigger "enforcer_notify_group_changed" after update of "name" or delete on "tenant_group" for each row execute function "enforcer_notify_tenant"();`,
    );
    this.addSql(`create function "enforcer_notify_policy"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' or old."policy_version" is distinct from new."policy_version" then
        perform pg_notify('enforcer_changes', 't:' || old."id");
      end if;
      return null;
    end $$;`);
    this.addSql(
      `create trigger "enforcer_notify_policy_changed" after update or delete on "tenant" for each row execute function "enforcer_notify_policy"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "enforcer_notify_policy_changed" on "tenant";`);
    this.addSql(`drop trigger if exists "enforcer_notify_group_changed" on "tenant_group";`);
    this.addSql(`drop trigger if exists "enforcer_notify_membership_changed" on "group_membership";`);
    this.addSql(`drop trigger if exists "enforcer_notify_account_changed" on "account";`);
    this.addSql(`drop trigger if exists "enforcer_notify_session_changed" on "session";`);
    this.addSql(`drop function if exists "enforcer_notify_policy"();`);
    this.addSql(`drop function if exists "enforcer_notify_tenant"();`);
    this.addSql(`drop function if exists "enforcer_notify_membership"();`);
    this.addSql(`drop function if exists "enforcer_notify_account"();`);
    this.addSql(`drop function if exists "enforcer_notify_session"();`);
  }
}
