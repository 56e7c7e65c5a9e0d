import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { type EmbeddedEventLevel, type EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded.js';
import { initOrm, runMigrations } from './orm.js';

export interface Database {
  orm: MikroORM;
  /** The URL in use; for the embedded server it includes generated credentials (never log it whole). */
  url: string;
  embedded: EmbeddedPostgresHandle | undefined;
  /** Migrations applied at start. */
  applied: string[];
  /** Closes the ORM, then stops the embedded PostgreSQL if we started it. Safe to call more than once. */
  close(): Promise<void>;
}

export interface StartDatabaseOptions {
  log?: (message: string) => void;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Connect to an embedded cluster a running server already started (CLIs). */
  reuseRunning?: boolean;
  /** Restart the embedded PostgreSQL if it dies (the server does; CLIs and tests need not). */
  supervise?: boolean;
  /** The embedded cluster's manager reporting what it does (stale cluster stopped, restarts). */
  notify?: (level: EmbeddedEventLevel, message: string, details?: Record<string, unknown>) => void;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under `<dataDir>/pg`; then migrates. */
export async function startDatabase(config: Config, options: StartDatabaseOptions = {}): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: join(config.dataDir, 'pg'),
        port: config.embeddedPgPort,
        reuseRunning: options.reuseRunning ?? false,
        supervise: options.supervise ?? false,
        ...(options.log ? { log: options.log } : {}),
        ...(options.notify ? { notify: options.notify } : {}),
      });
  const url = config.databaseUrl ?? embedded!.url;
  let orm: MikroORM | undefined;
  try {
    orm = await initOrm(url);
    const applied = options.migrate === false ? [] : await runMigrations(orm);
    let closed: Promise<void> | undefined;
    const opened = orm;
    return {
      orm: opened,
      url,
      embedded,
      applied,
      close: () => {
        closed ??= (async () => {
          try {
            await opened.close(true);
          } finally {
            await embedded?.stop();
          }
        })();
        return closed;
      },
    };
  } catch (error) {
    await orm?.close(true).catch(() => {});
    await embedded?.stop().catch(() => {});
    throw error;
  }
}

/** The URL with its password masked, for logs. */
export const redactUrl = (url: string): string => {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
};
