import { Migration } from '@mikro-orm/migrations';

/** Account lifecycle (#14): an account's status and how it got there; deactivated accounts keep theirs. */
export class Migration20261206030000_account_status extends Migration {
  override name = 'Migration20261206030000_account_status';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "account" add column "status" text not null default 'active', add column "status_reason" text null, add column "status_changed_at" timestamptz null, add column "status_changed_by" jsonb null, add column "locked_until" timestamptz null;`,
    );
    this.addSql(`update "account" set "status" = 'deactivated' where not "active";`);
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "account" drop column "status", drop column "status_reason", drop column "status_changed_at", drop column "status_changed_by", drop column "locked_until";`,
    );
  }
}
