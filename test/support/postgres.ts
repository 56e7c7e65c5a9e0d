// Per-test-file PostgreSQL databases on the server started by ./global-setup.ts.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import pg from 'pg';
import { afterAll, expect, inject, onTestFinished } from 'vitest';
import { createDatabase, databaseUrl, dropDatabase, withPg } from './pg';
import type {} from './provided-context';

export interface TestDatabase {
  /** Database name, unique per call. */
  name: string;
  /** Connection URL for the database (same credentials as the admin URL). */
  url: string;
  /** Drops the database, closing any open connections. Safe to call more than once. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Database to clone. Default: the run's template (`inject('pgTemplateDatabase')`). */
  template?: string;
  /** Readable part of the name, for finding a database while debugging. Default: the test file's name. */
  label?: string;
  /**
   * Drop automatically (default true): after the current test when called inside a test, after the file
   * when called at collection time (top-level `await` or a describe body). Vitest cannot register hooks
   * from inside beforeAll: there, return `db.drop` from the hook instead.
   */
  autoDrop?: boolean;
}

/** Creates a fresh, empty-or-templated database only the caller uses. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = uniqueName(inject('pgDatabasePrefix'), options.label ?? testFileLabel());
  // Cloning a template is a file copy, much cheaper than running DDL again in every file.
  await createDatabase(adminUrl, name, options.template ?? inject('pgTemplateDatabase'));

  let dropped: Promise<void> | undefined;
  const db: TestDatabase = {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => {
      dropped ??= dropDatabase(adminUrl, name);
      return dropped;
    },
  };
  if (options.autoDrop !== false) registerCleanup(db.drop);
  return db;
}

const prepared = new Map<string, Promise<string>>();

/**
 * A template database that `prepare` fills once per `vitest run`, for createTestDatabase({ template }) to
 * clone: e.g. the server's migrated schema, so a test file gets it as a file copy (about 10 ms) instead of
 * running every migration again. The first caller in the run prepares it while holding an advisory lock;
 * callers in other workers wait for that lock, then find it done. It is built under a temporary name and
 * renamed when complete, so a worker that dies half-way leaves nothing another would clone. `prepare` must
 * close its connections before it resolves (a template with open connections cannot be copied). Dropped
 * with the run's other databases (it carries the run's prefix).
 */
export function preparedTemplate(key: string, prepare: (url: string) => Promise<unknown>): Promise<string> {
  let template = prepared.get(key);
  if (!template) {
    template = prepareTemplate(key, prepare);
    // A failure is not remembered: the next file tries again (and reports its own error).
    template.catch(() => prepared.delete(key));
    prepared.set(key, template);
  }
  return template;
}

async function prepareTemplate(key: string, prepare: (url: string) => Promise<unknown>): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${inject('pgDatabasePrefix')}_template_${slugOf(key)}`;
  const building = `${name}_wip`;
  await withPg(adminUrl, async (admin) => {
    // Session-level: released when this connection ends, even if this worker dies while preparing.
    await admin.query('select pg_advisory_lock(hashtextextended($1, 0))', [name]);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 1) return;
    await dropDatabase(adminUrl, building); // left by a worker that died half-way
    await createDatabase(adminUrl, building, inject('pgTemplateDatabase'));
    await prepare(databaseUrl(adminUrl, building));
    await admin.query(
      `alter database ${pg.escapeIdentifier(building)} rename to ${pg.escapeIdentifier(name)}`,
    );
  });
  return name;
}

function registerCleanup(cleanUp: () => Promise<void>): void {
  // onTestFinished throws outside a running test; then we are collecting the file, where afterAll works.
  try {
    onTestFinished(cleanUp);
  } catch {
    afterAll(cleanUp);
  }
}

function testFileLabel(): string {
  const path = expect.getState().testPath;
  return path ? basename(path).replace(/\.test\.[cm]?[jt]sx?$/, '') : 'db';
}

/** `<prefix>_<label>_<random>`, lower-case identifier characters, within PostgreSQL's 63-byte limit. */
function uniqueName(prefix: string, label: string): string {
  const slug = slugOf(label);
  return `${prefix}_${slug.slice(0, 63 - prefix.length - 10)}_${randomBytes(4).toString('hex')}`;
}

function slugOf(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
