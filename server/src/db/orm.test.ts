import { afterAll, describe, expect, it } from 'vitest';
import { createTestOrm } from '../testing/index.js';
import { migrateDatabase } from './orm.js';

const db = await createTestOrm();
afterAll(() => db.close());

describe('migrations', () => {
  it('the committed migrations produce exactly the schema the entities describe', async () => {
    // Non-empty means an entity changed without `pnpm --filter @enforcer/server migration:create`.
    const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('migrating again is a no-op', async () => {
    expect(await migrateDatabase(db.url)).toEqual([]);
  });

  it('stores timestamps as timestamptz', async () => {
    const rows = await db.orm.em
      .getConnection()
      .execute<{ data_type: string }[]>(
        "select distinct data_type from information_schema.columns where table_schema = 'public' and column_name like '%\\_at' escape '\\'",
      );
    expect(rows.map((row) => row.data_type)).toEqual(['timestamp with time zone']);
  });
});
