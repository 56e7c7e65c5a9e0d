import { Migration } from '@mikro-orm/migrations';

/** Profiles (#14): what a person says about themselves, shown by apps (`PATCH /auth/me`). */
export class Migration20261206040000_person_profile extends Migration {
  override name = 'Migration20261206040000_person_profile';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "person" add column "display_name" text null, add column "avatar_url" text null, add column "locale" text null, add column "time_zone" text null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "person" drop column "display_name", drop column "avatar_url", drop column "locale", drop column "time_zone";`,
    );
  }
}
