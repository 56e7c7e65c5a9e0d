import { Migration } from '@mikro-orm/migrations';

/** Tenant deletion after a grace period (#15): `pending_deletion` and when the job may delete the tenant. */
export class Migration20261206181200_tenant_deletion extends Migration {
  override name = 'Migration20261206181200_tenant_deletion';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tenant" add "deletion_due_at" timestamptz null;`);
    this.addSql(
      `alter table "tenant" drop constraint "tenant_status_check", add constraint "tenant_status_check" check ("status" in ('active', 'suspended', 'pending_deletion'));`,
    );
    this.addSql(`create index "tenant_deletion_due_at_index" on "tenant" ("deletion_due_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "tenant_deletion_due_at_index";`);
    this.addSql(`update "tenant" set "status" = 'suspended' where "status" = 'pending_deletion';`);
    this.addSql(
      `alter table "tenant" drop constraint "tenant_status_check", add constraint "tenant_status_check" check ("status" in ('active', 'suspended'));`,
    );
    this.addSql(`alter table "tenant" drop column "deletion_due_at";`);
  }
}
