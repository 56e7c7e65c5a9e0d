import { Migration } from '@mikro-orm/migrations';

/** Abuse limits (#18): codes sent, counted per destination, client address and tenant in fixed windows. */
export class Migration20261206060000_send_counters extends Migration {
  override name = 'Migration20261206060000_send_counters';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "send_counter" ("key" text not null, "window_start" timestamptz not null, "count" int not null, constraint "send_counter_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "send_counter_window_start_index" on "send_counter" ("window_start");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "send_counter" cascade;`);
  }
}
