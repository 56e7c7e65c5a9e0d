import { Migration } from '@mikro-orm/migrations';

export class Migration20261123175308_revocation_feed extends Migration {
  override name = 'Migration20261123175308_revocation_feed';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "revocation_event" ("id" bigserial primary key, "xid" bigint not null, "tenant_id" uuid not null, "kind" text not null, "session_id" uuid null, "account_id" uuid not null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `create index "revocation_event_tenant_id_xid_id_index" on "revocation_event" ("tenant_id", "xid", "id");`,
    );
    this.addSql(`create index "revocation_event_created_at_index" on "revocation_event" ("created_at");`);

    this.addSql(
      `alter table "revocation_event" add constraint "revocation_event_kind_check" check ("kind" in ('session_revoked', 'account_changed'));`,
    );

    // Every change that must reach offline verifiers is recorded by a trigger, in the same transaction
    // as the change, whoever makes it (a route, a cascade, a script). `xid` makes the feed's cursor safe.
    this.addSql(`create function "revocation_event_record"(p_tenant uuid, p_kind text, p_session uuid, p_account uuid) returns void language sql as $$
      insert into "revocation_event" ("xid", "tenant_id", "kind", "session_id", "account_id", "created_at")
      values (pg_current_xact_id()::text::bigint, p_tenant, p_kind, p_session, p_account, now())
    $$;`);

    // A session ends when revoked_at is first set, or when its row is deleted while live.
    this.addSql(`create function "revocation_event_on_session"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if old."revoked_at" is null and new."revoked_at" is not null then
          perform "revocation_event_record"(new."tenant_id", 'session_revoked', new."id", new."account_id");
        end if;
      elsif old."revoked_at" is null then
        perform "revocation_event_record"(old."tenant_id", 'session_revoked', old."id", old."account_id");
      end if;
      return null;
    end $$;`);
    this.addSql(
      `create trigger "revocation_event_session_revoked" after update of "revoked_at" on "session" for each row execute function "revocation_event_on_session"();`,
    );
    this.addSql(
      `create trigger "revocation_event_session_deleted" after delete on "session" for each row execute function "revocation_event_on_session"();`,
    );

    // An account's grant: role, active flag, grant version; or the account gone.
    this.addSql(`create function "revocation_event_on_account"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if (old."role", old."active", old."grant_version") is distinct from (new."role", new."active", new."grant_version") then
          perform "revocation_event_record"(new."tenant_id", 'account_changed', null, new."id");
        end if;
      else
        perform "revocation_event_record"(old."tenant_id", 'account_changed', null, old."id");
      end if;
      return null;
    end $$;`);
    this.addSql(
      `create trigger "revocation_event_account_changed" after update on "account" for each row execute function "revocation_event_on_account"();`,
    );
    this.addSql(
      `create trigger "revocation_event_account_deleted" after delete on "account" for each row execute function "revocation_event_on_account"();`,
    );

    // Group memberships (added, removed, also by a group's deletion) and group renames change accounts' groups.
    this.addSql(`create function "revocation_event_on_membership"() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform "revocation_event_record"(old."tenant_id", 'account_changed', null, old."account_id");
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        perform "revocation_event_record"(new."tenant_id", 'account_changed', null, new."account_id");
      end if;
      return null;
    end $$;`);
    this.addSql(
      `create trigger "revocation_event_membership_changed" after insert or update or delete on "group_membership" for each row execute function "revocation_event_on_membership"();`,
    );
    this.addSql(`create function "revocation_event_on_group_rename"() returns trigger language plpgsql as $$
    begin
      perform "revocation_event_record"(m."tenant_id", 'account_changed', null, m."account_id")
        from "group_membership" m where m."group_id" = new."id";
      return null;
    end $$;`);
    this.addSql(
      `create trigger "revocation_event_group_renamed" after update of "name" on "tenant_group" for each row when (old."name" is distinct from new."name") execute function "revocation_event_on_group_rename"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "revocation_event_group_renamed" on "tenant_group";`);
    this.addSql(`drop trigger if exists "revocation_event_membership_changed" on "group_membership";`);
    this.addSql(`drop trigger if exists "revocation_event_account_deleted" on "account";`);
    this.addSql(`drop trigger if exists "revocation_event_account_changed" on "account";`);
    this.addSql(`drop trigger if exists "revocation_event_session_deleted" on "session";`);
    this.addSql(`drop trigger if exists "revocation_event_session_revoked" on "session";`);
    this.addSql(`drop function if exists "revocation_event_on_group_rename"();`);
    this.addSql(`drop function if exists "revocation_event_on_membership"();`);
    this.addSql(`drop function if exists "revocation_event_on_account"();`);
    this.addSql(`drop function if exists "revocation_event_on_session"();`);
    this.addSql(`drop function if exists "revocation_event_record"(uuid, text, uuid, uuid);`);
    this.addSql(`drop table if exists "revocation_event" cascade;`);
  }
}
