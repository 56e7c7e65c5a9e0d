// Per-test-file PostgreSQL databases on the server started by ./global-setup.ts.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { afterAll, expect, inject, onTestFinished } from 'vitest';
import { createDatabase, databaseUrl, dropDatabase } from './pg';
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
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${prefix}_${slug.slice(0, 63 - prefix.length - 10)}_${randomBytes(4).toString('hex')}`;
}
