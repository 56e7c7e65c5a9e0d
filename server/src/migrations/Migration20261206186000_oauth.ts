import { Migration } from '@mikro-orm/migrations';

/** Social sign-in (#17): per-tenant OAuth providers and redirect URLs, authorization-code transactions, `oidc` identities. */
export class Migration20261206186000_oauth extends Migration {
  override name = 'Migration20261206186000_oauth';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "oauth_setting" ("tenant_id" uuid not null, "providers" jsonb not null default '[]', "redirect_urls" text[] not null default '{}', "updated_at" timestamptz not null, constraint "oauth_setting_pkey" primary key ("tenant_id"));`,
    );
    this.addSql(
      `alter table "oauth_setting" add constraint "oauth_setting_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `create table "oauth_flow" ("id" uuid not null, "tenant_id" uuid not null, "provider" text not null, "state_hash" text not null, "code_verifier" text not null, "nonce" text not null, "redirect_uri" text not null, "intent" text not null, "person_id" uuid null, "expires_at" timestamptz not null, "state_spent_at" timestamptz null, "code_hash" text null, "identity" jsonb null, "code_expires_at" timestamptz null, "code_spent_at" timestamptz null, "created_at" timestamptz not null, constraint "oauth_flow_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "oauth_flow" add constraint "oauth_flow_state_hash_unique" unique ("state_hash");`,
    );
    this.addSql(
      `alter table "oauth_flow" add constraint "oauth_flow_code_hash_unique" unique ("code_hash");`,
    );
    this.addSql(`create index "oauth_flow_expires_at_index" on "oauth_flow" ("expires_at");`);
    this.addSql(
      `alter table "oauth_flow" add constraint "oauth_flow_intent_check" check (intent in ('sign_in', 'link'));`,
    );
    this.addSql(
      `alter table "oauth_flow" add constraint "oauth_flow_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "person_identity" drop constraint "person_identity_provider_check";`);
    this.addSql(
      `alter table "person_identity" add constraint "person_identity_provider_check" check (provider in ('phone_otp', 'google', 'siwe', 'privy', 'oidc'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "oauth_flow" cascade;`);
    this.addSql(`drop table if exists "oauth_setting" cascade;`);
    this.addSql(`alter table "person_identity" drop constraint "person_identity_provider_check";`);
    this.addSql(
      `alter table "person_identity" add constraint "person_identity_provider_check" check (provider in ('phone_otp', 'google', 'siwe', 'privy'));`,
    );
  }
}
