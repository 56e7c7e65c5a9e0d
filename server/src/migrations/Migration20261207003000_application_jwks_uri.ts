import { Migration } from '@mikro-orm/migrations';

/**
 * `private_key_jwt` with a `jwks_uri` (#18): an application with keys registers them inline (`jwks`) or
 * names the URL where it publishes them (`jwks_uri`), exactly one of the two.
 */
export class Migration20261207003000_application_jwks_uri extends Migration {
  override name = 'Migration20261207003000_application_jwks_uri';

  override up(): void | Promise<void> {
    this.addSql(`alter table "application" add column "jwks_uri" text null;`);
    this.addSql(`alter table "application" drop constraint "application_token_endpoint_auth_method_check";`);
    this.addSql(
      `alter table "application" add constraint "application_token_endpoint_auth_method_check" check (${CHECK});`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "application" where "jwks_uri" is not null;`);
    this.addSql(`alter table "application" drop constraint "application_token_endpoint_auth_method_check";`);
    this.addSql(
      `alter table "application" add constraint "application_token_endpoint_auth_method_check" check (("token_endpoint_auth_method" = 'client_secret_basic' and "secret_hash" is not null and "jwks" is null) or ("token_endpoint_auth_method" = 'private_key_jwt' and "secret_hash" is null and "jwks" is not null));`,
    );
    this.addSql(`alter table "application" drop column "jwks_uri";`);
  }
}

const CHECK = `("token_endpoint_auth_method" = 'client_secret_basic' and "secret_hash" is not null and "jwks" is null and "jwks_uri" is null) or ("token_endpoint_auth_method" = 'private_key_jwt' and "secret_hash" is null and ("jwks" is null) <> ("jwks_uri" is null))`;
