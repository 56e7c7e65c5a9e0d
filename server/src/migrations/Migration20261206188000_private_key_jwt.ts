import { Migration } from '@mikro-orm/migrations';

/**
 * `private_key_jwt` for applications (#18): an application authenticates with a secret or with registered
 * public keys (then it has no secret), and the `jti`s of its client assertions are kept until they expire.
 */
export class Migration20261206188000_private_key_jwt extends Migration {
  override name = 'Migration20261206188000_private_key_jwt';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "application" add column "token_endpoint_auth_method" text not null default 'client_secret_basic', add column "jwks" jsonb null;`,
    );
    this.addSql(
      `alter table "application" add constraint "application_token_endpoint_auth_method_check" check (("token_endpoint_auth_method" = 'client_secret_basic' and "secret_hash" is not null and "jwks" is null) or ("token_endpoint_auth_method" = 'private_key_jwt' and "secret_hash" is null and "jwks" is not null));`,
    );
    this.addSql(`alter table "application" alter column "secret_hash" drop not null;`);
    this.addSql(`alter table "application" alter column "secret_prefix" drop not null;`);
    this.addSql(
      `create table "used_client_assertion" ("application_id" uuid not null, "jti" text not null, "expires_at" timestamptz not null, primary key ("application_id", "jti"));`,
    );
    this.addSql(
      `create index "used_client_assertion_expires_at_index" on "used_client_assertion" ("expires_at");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "used_client_assertion" cascade;`);
    this.addSql(`delete from "application" where "token_endpoint_auth_method" = 'private_key_jwt';`);
    this.addSql(`alter table "application" drop constraint "application_token_endpoint_auth_method_check";`);
    this.addSql(`alter table "application" alter column "secret_hash" set not null;`);
    this.addSql(`alter table "application" alter column "secret_prefix" set not null;`);
    this.addSql(`alter table "application" drop column "token_endpoint_auth_method", drop column "jwks";`);
  }
}
