import { initOrm, notPersonalData, personalData } from '@enforcer/server';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/index.js';

// The personal-data registry (#15) against the schema every migration builds: each column that can hold
// content is declared personal (with its erasure) or not personal (with a reason), and nothing declared is
// gone. A new text, JSON, array or bytes column fails here until it says how erasing a person treats it.
const db = await createTestDatabase({ template: 'template0' });
const orm = await initOrm(db.url, { poolMax: 2 });
afterAll(() => orm.close(true));

/** Types that hold no content of their own: ids (random UUIDs), times, numbers, flags. */
const CONTENTLESS = new Set([
  'uuid',
  'timestamp with time zone',
  'timestamp without time zone',
  'date',
  'integer',
  'bigint',
  'smallint',
  'boolean',
  'numeric',
  'real',
  'double precision',
]);

const declared = (table: string, column: string) =>
  personalData[table]?.[column] !== undefined || notPersonalData[table]?.[column] !== undefined;

const readColumns = () =>
  orm.em
    .getConnection()
    .execute<{ table_name: string; column_name: string; data_type: string }[]>(
      `select table_name, column_name, data_type from information_schema.columns where table_schema = 'public' order by table_name, column_name`,
    );

/** The columns that can hold content and are declared in neither list. */
const undeclaredColumns = async () =>
  (await readColumns())
    .filter((c) => !CONTENTLESS.has(c.data_type) && !declared(c.table_name, c.column_name))
    .map((c) => `${c.table_name}.${c.column_name} (${c.data_type})`);

describe('the personal-data registry', async () => {
  await orm.migrator.up();
  const columns = await readColumns();

  it('declares every column that can hold content, personal or not', async () => {
    expect(await undeclaredColumns(), 'declare these in server/src/entities/personal-data.ts').toEqual([]);
  });

  it('declares only columns that exist, and none twice', () => {
    const existing = new Set(columns.map((c) => `${c.table_name}.${c.column_name}`));
    const names = (registry: Record<string, Record<string, unknown>>) =>
      Object.entries(registry).flatMap(([table, cols]) => Object.keys(cols).map((c) => `${table}.${c}`));
    expect(names(personalData).filter((n) => !existing.has(n))).toEqual([]);
    expect(names(notPersonalData).filter((n) => !existing.has(n))).toEqual([]);
    const both = names(personalData).filter((n) => names(notPersonalData).includes(n));
    expect(both).toEqual([]);
  });

  it('catches a new column nobody declared, and lets a contentless one pass', async () => {
    const connection = orm.em.getConnection();
    await connection.execute(
      `alter table "person" add column "nickname" text null, add column "seen_at" timestamptz null`,
    );
    try {
      expect(await undeclaredColumns()).toEqual(['person.nickname (text)']);
    } finally {
      await connection.execute(`alter table "person" drop column "nickname", drop column "seen_at"`);
    }
  });

  it('says how every personal column is erased, and what it holds', () => {
    for (const [table, cols] of Object.entries(personalData)) {
      for (const [column, rule] of Object.entries(cols)) {
        expect(
          ['delete_row', 'set_null', 'set_empty', 'erase_in_event', 'expires'],
          `${table}.${column}`,
        ).toContain(rule.erasure);
        expect(rule.holds.length, `${table}.${column}`).toBeGreaterThan(3);
      }
    }
  });
});
