import { Migration } from '@mikro-orm/migrations';

/**
 * Provisioning accounts (#14, `POST /accounts`): an invite may be a provisioning, addressed to an email
 * and/or a phone, with every role and the groups its account gets; existing invites keep their one role in
 * `roles`. Idempotency keys per tenant.
 */
export class Migration20261206120100_account_provisioning extends Migration {
  override name = 'Migration20261206120100_account_provisioning';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "invite" add "phone" text null, add "roles" text[] not null default '{}', add "groups" text[] not null default '{}', add "provisioned" boolean not null default false;`,
    );
    this.addSql(`alter table "invite" alter column "email" drop not null;`);
    this.addSql(`update "invite" set "roles" = array["role"];`);
    this.addSql(
      `create table "idempotency_key" ("id" uuid not null, "tenant_id" uuid not null, "key" text not null, "request_hash" text not null, "status" int not null, "body" jsonb not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "idempotency_key_expires_at_index" on "idempotency_key" ("expires_at");`);
    this.addSql(
      `alter table "idempotency_key" add constraint "idempotency_key_tenant_id_key_unique" unique ("tenant_id", "key");`,
    );
    this.addSql(
      `alter table "idempotency_key" add constraint "idempotency_key_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table "idempotency_key";`);
    this.addSql(`delete from "invite" where "email" is null;`);
    this.addSql(`alter table "invite" alter column "email" set not null;`);
    this.addSql(
      `alter table "invite" drop column "phone", drop column "roles", drop column "groups", drop column "provisioned";`,
    );
  }
}
