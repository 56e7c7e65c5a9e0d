import { Migration } from '@mikro-orm/migrations';

/**
 * Applications in the revocation feed (#18): a client token revoked (`revoked_client_token` inserted), an
 * application's scopes changed or the application deleted are logged by triggers, as sessions and accounts
 * are, so that offline verifiers refuse those tokens within a poll.
 */
export class Migration20261206188100_client_revocation_feed extends Migration {
  override name = 'Migration20261206188100_client_revocation_feed';

  override up(): void | Promise<void> {
    this.addSql(`alter table "revocation_event" alter column "account_id" drop not null;`);
    this.addSql(
      `alter table "revocation_event" add column "client_id" text null, add column "jti" text null;`,
    );
    this.addSql(`alter table "revocation_event" drop constraint "revocation_event_kind_check";`);
    this.addSql(
      `alter table "revocation_event" add constraint "revocation_event_kind_check" check ("kind" in ('session_revoked', 'account_changed', 'client_token_revoked', 'application_changed'));`,
    );

    this.addSql(`create function "revocation_event_record_client"(p_tenant uuid, p_kind text, p_client text, p_jti text) returns void language sql as $$
      insert into "revocation_event" ("xid", "tenant_id", "kind", "client_id", "jti", "created_at")
      values (pg_current_xact_id()::text::bigint, p_tenant, p_kind, p_client, p_jti, now())
    $$;`);

    this.addSql(`create function "revocation_event_on_client_token"() returns trigger language plpgsql as $$
    begin
      perform "revocation_event_record_client"(new."tenant_id", 'client_token_revoked',
        (select a."client_id" from "application" a where a."id" = new."application_id"), new."jti");
      return null;
    end $$;`);
    this.addSql(
      `create trigger "revocation_event_client_token_revoked" after insert on "revoked_client_token" for each row execute function "revocation_event_on_client_token"();`,
    );

    this.addSql(`create function "revocation_event_on_application"() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if old."scopes" is distinct from new."scopes" then
          perform "revocation_event_record_client"(new."tenant_id", 'application_changed', new."client_id", null);
        end if;
      else
        perform "revocation_event_record_client"(old."tenant_id", 'application_changed', old."client_id", null);
      end if;
      return null;
    end $$;`);
    this.addSql(
      `create trigger "revocation_event_application_changed" after update of "scopes" on "application" for each row execute function "revocation_event_on_application"();`,
    );
    this.addSql(
      `create trigger "revocation_event_application_deleted" after delete on "application" for each row execute function "revocation_event_on_application"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "revocation_event_application_deleted" on "application";`);
    this.addSql(`drop trigger if exists "revocation_event_application_changed" on "application";`);
    this.addSql(`drop trigger if exists "revocation_event_client_token_revoked" on "revoked_client_token";`);
    this.addSql(`drop function if exists "revocation_event_on_application"();`);
    this.addSql(`drop function if exists "revocation_event_on_client_token"();`);
    this.addSql(`drop function if exists "revocation_event_record_client"(uuid, text, text, text);`);
    this.addSql(`delete from "revocation_event" where "account_id" is null;`);
    this.addSql(`alter table "revocation_event" drop constraint "revocation_event_kind_check";`);
    this.addSql(
      `alter table "revocation_event" add constraint "revocation_event_kind_check" check ("kind" in ('session_revoked', 'account_changed'));`,
    );
    this.addSql(`alter table "revocation_event" drop column "client_id", drop column "jti";`);
    this.addSql(`alter table "revocation_event" alter column "account_id" set not null;`);
  }
}
