import { Migration } from '@mikro-orm/migrations';

/** Issue #14: tenants' limits on roles and groups; invites that can be revoked, resent and listed. */
export class Migration20261206024206_roles_groups_invites extends Migration {
  override name = 'Migration20261206024206_roles_groups_invites';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tenant" add "limits" jsonb not null default '{}';`);

    this.addSql(`alter table "invite" add "revoked_at" timestamptz null, add "sent_at" timestamptz null;`);
    this.addSql(
      `create index "invite_tenant_id_created_at_id_index" on "invite" ("tenant_id", "created_at", "id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "invite_tenant_id_created_at_id_index";`);
    this.addSql(`alter table "invite" drop column "revoked_at", drop column "sent_at";`);
    this.addSql(`alter table "tenant" drop column "limits";`);
  }
}
