import { Migration } from '@mikro-orm/migrations';

/**
 * Social sign-in (#17): the app's S256 `code_challenge`, to which a flow's one-time exchange code is bound
 * (the exchange presents its verifier). Flows stored before it have none, and their codes are refused; they
 * live ten minutes.
 */
export class Migration20261207001000_oauth_client_challenge extends Migration {
  override name = 'Migration20261207001000_oauth_client_challenge';

  override up(): void | Promise<void> {
    this.addSql(`alter table "oauth_flow" add column "client_challenge" text null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "oauth_flow" drop column "client_challenge";`);
  }
}
