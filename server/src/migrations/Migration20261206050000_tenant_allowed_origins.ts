import { Migration } from '@mikro-orm/migrations';

/** CORS (#18): the web origins each tenant lets call Enforcer from a browser, looked up by origin. */
export class Migration20261206050000_tenant_allowed_origins extends Migration {
  override name = 'Migration20261206050000_tenant_allowed_origins';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tenant" add column "allowed_origins" text[] not null default '{}';`);
    this.addSql(`create index "tenant_allowed_origins_index" on "tenant" using gin ("allowed_origins");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "tenant_allowed_origins_index";`);
    this.addSql(`alter table "tenant" drop column "allowed_origins";`);
  }
}
