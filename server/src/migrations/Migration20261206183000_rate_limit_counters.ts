import { Migration } from '@mikro-orm/migrations';

/**
 * The general rate limit (#18): requests counted per key (route class + credential digest or client
 * address) in the current fixed window, shared by every server process. Unlogged: counters a crash loses
 * cost one window of counting, and skipping the write-ahead log keeps the once-a-second sync cheap.
 */
export class Migration20261206183000_rate_limit_counters extends Migration {
  override name = 'Migration20261206183000_rate_limit_counters';

  override up(): void | Promise<void> {
    this.addSql(
      `create unlogged table "rate_limit_counter" ("key" text not null, "window_start" timestamptz not null, "hits" int not null, constraint "rate_limit_counter_pkey" primary key ("key"));`,
    );
    this.addSql(
      `create index "rate_limit_counter_window_start_index" on "rate_limit_counter" ("window_start");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counter" cascade;`);
  }
}
