import { Migration } from '@mikro-orm/migrations';

/** Account metadata (#14): public, private and user metadata, JSON objects, empty for existing accounts. */
export class Migration20261206100000_account_metadata extends Migration {
  override name = 'Migration20261206100000_account_metadata';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "account" add column "public_metadata" jsonb not null default '{}', add column "private_metadata" jsonb not null default '{}', add column "user_metadata" jsonb not null default '{}';`,
    );
    // The default only fills existing accounts: new ones get `{}` from the entity, as other columns do.
    this.addSql(
      `alter table "account" alter column "public_metadata" drop default, alter column "private_metadata" drop default, alter column "user_metadata" drop default;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "account" drop column "public_metadata", drop column "private_metadata", drop column "user_metadata";`,
    );
  }
}
