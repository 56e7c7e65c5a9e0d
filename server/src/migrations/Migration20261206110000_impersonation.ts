import { Migration } from '@mikro-orm/migrations';

/** Impersonation (#14): a session acted in by another account (the admin's), ended with it. */
export class Migration20261206110000_impersonation extends Migration {
  override name = 'Migration20261206110000_impersonation';

  override up(): void | Promise<void> {
    this.addSql(`alter table "session" add column "actor_account_id" uuid null;`);
    this.addSql(
      `alter table "session" add constraint "session_actor_account_id_foreign" foreign key ("actor_account_id") references "account" ("id") on delete cascade;`,
    );
    this.addSql(`create index "session_actor_account_id_index" on "session" ("actor_account_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "session" drop constraint "session_actor_account_id_foreign";`);
    this.addSql(`drop index "session_actor_account_id_index";`);
    this.addSql(`alter table "session" drop column "actor_account_id";`);
  }
}
