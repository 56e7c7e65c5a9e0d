import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migrations } from '../migrations/index.js';
import { AuditChainSubscriber } from './audit-chain-subscriber.js';
import { entities } from './entities.js';

/** Folder of the committed migrations (TypeScript sources; listed statically in migrations/index.ts). */
export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export interface OrmOptions {
  /** Connection pool size (default 10). */
  poolMax?: number;
  /** Receives ORM log lines (only used when `debug` is on). */
  logger?: (message: string) => void;
  debug?: boolean;
}

/** The one MikroORM configuration of the server, for a PostgreSQL URL. */
export function ormConfig(databaseUrl: string, options: OrmOptions = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    // Audit events take their place in their tenant's hash chain as a transaction flushes them.
    subscribers: [new AuditChainSubscriber()],
    // Forked entity managers only: a request or service never shares an identity map.
    allowGlobalContext: false,
    // A couple of connections stay open however quiet it gets (pg closes idle ones above `min` after
    // `idleTimeoutMillis`): a request after a lull should not pay for a new PostgreSQL backend.
    pool: { min: Math.min(2, options.poolMax ?? 10), max: options.poolMax ?? 10, idleTimeoutMillis: 30_000 },
    // A database that accepts no connection (hung, unreachable) fails a request after 10 s with a
    // "timeout exceeded when trying to connect", answered 503 (lib/database-unavailable.ts), instead of hanging it.
    driverOptions: { connectionTimeoutMillis: 10_000 },
    debug: options.debug ?? false,
    // Triggers and their functions are written by hand in migrations (the revocation feed's change log,
    // change notifications), not mirrored in entity metadata: never drop or alter them from a diff.
    schemaGenerator: { ignoreTriggers: true, ignoreRoutines: true },
    ...(options.logger ? { logger: options.logger } : {}),
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: migrationsDir,
      pathTs: migrationsDir,
      // Statically imported, so migrations work from sources (tsx), bundles and tests alike.
      migrationsList: migrations,
      // No snapshot file: `migration:create` diffs the entities against a scratch database migrated with
      // the committed migrations, and nothing is ever written into the source tree at run time.
      snapshot: false,
      snapshotOnMigrate: false,
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      silent: true,
    },
  });
}

export async function initOrm(databaseUrl: string, options: OrmOptions = {}): Promise<MikroORM> {
  return MikroORM.init(ormConfig(databaseUrl, options));
}

/** The advisory lock every migration run holds: processes starting together migrate one after the other. */
const MIGRATION_LOCK = 'enforcer:migrations';

/**
 * Applies every pending committed migration. Returns the names of those applied. Several processes may
 * start at once on one database (a rolling deploy, two replicas): each waits for a session-level
 * advisory lock, held on a connection of its own for the whole run, so the second finds the work done
 * instead of creating the same tables (which failed its start-up before).
 */
export async function runMigrations(orm: MikroORM): Promise<string[]> {
  const lock = new pg.Client({ connectionString: orm.config.get('clientUrl') });
  // A connection lost while waiting ends the run through the query's rejection; the event must not crash.
  lock.on('error', () => {});
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
    const applied = await orm.migrator.up();
    return applied.map((migration) => migration.name);
  } finally {
    // Ending the session releases the lock.
    await lock.end();
  }
}

/**
 * Migrates the database at `databaseUrl` to the latest schema and disconnects.
 * The test harness uses it to prepare a template database once per run.
 */
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  const orm = await initOrm(databaseUrl, { poolMax: 1 });
  try {
    return await runMigrations(orm);
  } finally {
    await orm.close(true);
  }
}

/** `select 1` with a timeout: the readiness probe. */
export async function pingDatabase(orm: MikroORM, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([orm.em.getConnection().execute('select 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
