import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase, withPg } from './index';

const exists = (name: string) =>
  withPg(inject('pgAdminUrl'), async (c) => {
    const { rowCount } = await c.query('select 1 from pg_database where datname = $1', [name]);
    return rowCount === 1;
  });

// Created at collection time: dropped after the file by afterAll.
const fileDb = await createTestDatabase();

describe('createTestDatabase', () => {
  it('runs queries on a real PostgreSQL server', async () => {
    const version = await withPg(
      fileDb.url,
      async (c) => (await c.query('select version()')).rows[0].version,
    );
    expect(version).toContain('PostgreSQL');
    expect(fileDb.name).toMatch(new RegExp(`^${inject('pgDatabasePrefix')}_postgres_[0-9a-f]{8}$`));
  });

  it('gives each call its own isolated database', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(a.name).not.toBe(b.name);
    await withPg(a.url, (c) => c.query('create table only_in_a (id int)'));
    const visible = (url: string) =>
      withPg(url, async (c) => (await c.query("select to_regclass('only_in_a') as t")).rows[0].t);
    expect(await visible(a.url)).toBe('only_in_a');
    expect(await visible(b.url)).toBeNull();
  });

  it('clones the given template', async () => {
    const template = await createTestDatabase({ label: 'tpl' });
    await withPg(template.url, (c) =>
      c.query("create table seeded (v text); insert into seeded values ('x')"),
    );
    const clone = await createTestDatabase({ template: template.name });
    const { rows } = await withPg(clone.url, (c) => c.query('select v from seeded'));
    expect(rows).toEqual([{ v: 'x' }]);
  });

  let fromTest = '';
  it('drop() removes the database even with open connections, and is idempotent', async () => {
    const db = await createTestDatabase({ autoDrop: false });
    fromTest = (await createTestDatabase()).name; // auto-dropped when this test ends
    expect(await exists(db.name)).toBe(true);
    await withPg(db.url, async () => {
      await db.drop(); // while this connection is open
    }).catch(() => {}); // ending the force-closed connection may fail
    await db.drop();
    expect(await exists(db.name)).toBe(false);
    await expect(withPg(db.url, (c) => c.query('select 1'))).rejects.toThrow(/does not exist/);
  });

  it('auto-drops databases created inside a test when that test ends', async () => {
    expect(fromTest).not.toBe('');
    expect(await exists(fromTest)).toBe(false);
    expect(await exists(fileDb.name)).toBe(true);
  });
});
