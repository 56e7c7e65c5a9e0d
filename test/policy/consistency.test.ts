import { readFileSync } from 'node:fs';
import {
  compile,
  PlanConversionError,
  type PolicyDocument,
  type Residual,
  type Subject,
  toMikroOrm,
  toPredicate,
  toSql,
} from '@enforcer/contract/policy';
import { defineEntity, MikroORM, p } from '@mikro-orm/postgresql';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support';
import { type ConsistencyCase, caseArb, type ItemRow } from './generators';

/**
 * The proof behind "one policy brain": for generated policies, subjects, actions and
 * records, on real PostgreSQL, for every record
 *
 *   can()  =  toPredicate(plan)(record)  =  record in the rows toSql(plan) selects
 *          =  record in the rows MikroORM returns for toMikroOrm(plan)
 *
 * and explain() and can() without code generation agree with can(). A failure prints fast-check's seed and the shrunk
 * counterexample; add it to regressions.json so it is checked on every run forever.
 */

const RUNS = Number(process.env.POLICY_CONSISTENCY_RUNS ?? 2000);

const columns = {
  tenant_id: 'tenant_id',
  s1: 's1',
  s2: 's2',
  owner: { column: 'owner', type: 'uuid' },
  n1: 'n1',
  n2: 'n2',
  b1: 'b1',
  t1: 't1',
  t2: 't2',
  tags: 'tags',
} as const;
const fields = { ...columns, tenant_id: 'tenantId', owner: { property: 'owner', type: 'uuid' } } as const;

const Item = defineEntity({
  name: 'Item',
  tableName: 'items',
  properties: {
    id: p.integer().primary(),
    caseId: p.integer(),
    tenantId: p.text().nullable(),
    s1: p.text().nullable(),
    s2: p.text().nullable(),
    owner: p.uuid().nullable(),
    n1: p.double().nullable(),
    n2: p.double().nullable(),
    b1: p.boolean().nullable(),
    t1: p.datetime(3).nullable(),
    t2: p.datetime(3).nullable(),
    tags: p.array().nullable(),
  },
});

const attributeColumns = ['tenant_id', 's1', 's2', 'owner', 'n1', 'n2', 'b1', 't1', 't2', 'tags'] as const;

let client: pg.Client;
let orm: MikroORM;
let caseCounter = 0;

beforeAll(async () => {
  const db = await createTestDatabase({ label: 'policy-consistency', autoDrop: false });
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    create table items (
      id serial primary key,
      case_id int not null,
      tenant_id text, s1 text, s2 text, owner uuid,
      n1 float8, n2 float8, b1 boolean,
      t1 timestamptz(3), t2 timestamptz(3),
      tags text[]
    );
    create index on items (case_id);
  `);
  orm = await MikroORM.init({ clientUrl: db.url, entities: [Item], debug: false, allowGlobalContext: true });
  return async () => {
    await orm.close(true);
    await client.end();
    await db.drop();
  };
});

interface Stats {
  cases: number;
  conditional: number;
  mixed: number;
  allowedRecords: number;
  deniedRecords: number;
  mikroOrmRefused: number;
}
const stats: Stats = {
  cases: 0,
  conditional: 0,
  mixed: 0,
  allowedRecords: 0,
  deniedRecords: 0,
  mikroOrmRefused: 0,
};

async function loadItems(items: ItemRow[]): Promise<{ caseId: number; rows: (ItemRow & { id: number })[] }> {
  const caseId = ++caseCounter;
  const values: unknown[] = [caseId];
  const tuples = items.map((item) => {
    const placeholders = attributeColumns.map((c) => {
      values.push(item[c]);
      return `$${values.length}`;
    });
    return `($1, ${placeholders.join(', ')})`;
  });
  await client.query(
    `insert into items (case_id, ${attributeColumns.join(', ')}) values ${tuples.join(', ')}`,
    values,
  );
  // Decide on the rows as PostgreSQL returns them, the way an application would see them.
  const { rows } = await client.query(
    `select id, ${attributeColumns.join(', ')} from items where case_id = $1 order by id`,
    [caseId],
  );
  return { caseId, rows };
}

function mentionsAttributeComparison(r: Residual | undefined): boolean {
  if (!r) return false;
  switch (r.op) {
    case 'cmp_attr':
      return true;
    case 'and':
    case 'or':
      return r.args.some(mentionsAttributeComparison);
    case 'not':
      return mentionsAttributeComparison(r.arg);
    default:
      return false;
  }
}

async function checkCase(c: ConsistencyCase): Promise<void> {
  const policy = compile(c.policy);
  // can() runs generated code by default; the closures are what runs where code generation
  // is not allowed (a strict CSP). Both must give the same answer.
  const closures = compile(c.policy, { codegen: false });
  const { caseId, rows } = await loadItems(c.items);
  const plan = policy.plan(c.subject, c.action, 'item');
  const predicate = toPredicate(plan);

  const expected = new Set<number>();
  for (const row of rows) {
    const { id, ...attributes } = row;
    const resource = { type: 'item', attributes };
    const allowed = policy.can(c.subject, c.action, resource);
    if (allowed) expected.add(id);
    expect(closures.can(c.subject, c.action, resource), `can() without code generation, row ${id}`).toBe(
      allowed,
    );
    expect(policy.explain(c.subject, c.action, resource).allowed, `explain() for row ${id}`).toBe(allowed);
    expect(predicate(attributes), `toPredicate(plan) for row ${id}: ${JSON.stringify(attributes)}`).toBe(
      allowed,
    );
  }

  const sql = toSql(plan, columns, { paramOffset: 1 });
  const selected = await client.query<{ id: number }>(
    `select id from items where case_id = $1 and ${sql.text}`,
    [caseId, ...sql.values],
  );
  expect(new Set(selected.rows.map((r) => r.id)), `toSql: ${sql.text} ${JSON.stringify(sql.values)}`).toEqual(
    expected,
  );

  let filter: Record<string, unknown> | undefined;
  try {
    filter = toMikroOrm(plan, fields);
  } catch (e) {
    // The only refusal the MikroORM adapter is allowed: comparing two attributes.
    expect(e).toBeInstanceOf(PlanConversionError);
    expect(mentionsAttributeComparison(plan.condition)).toBe(true);
    stats.mikroOrmRefused++;
  }
  if (filter) {
    const em = orm.em.fork();
    const found = await em.find(Item, { $and: [{ caseId }, filter] } as never, { fields: ['id'] });
    expect(new Set(found.map((r) => r.id)), `toMikroOrm: ${JSON.stringify(filter)}`).toEqual(expected);
  }

  stats.cases++;
  if (plan.decision === 'conditional') stats.conditional++;
  if (expected.size > 0 && expected.size < rows.length) stats.mixed++;
  stats.allowedRecords += expected.size;
  stats.deniedRecords += rows.length - expected.size;
}

interface RegressionCase {
  name: string;
  policy: PolicyDocument;
  subject: Subject;
  action: string;
  items: (Omit<ItemRow, 't1' | 't2'> & { t1: string | null; t2: string | null })[];
}

const regressions: RegressionCase[] = JSON.parse(
  readFileSync(new URL('./regressions.json', import.meta.url), 'utf8'),
);
const toCase = (r: RegressionCase): ConsistencyCase => ({
  policy: r.policy,
  subject: r.subject,
  action: r.action,
  items: r.items.map((i) => ({
    ...i,
    t1: i.t1 === null ? null : new Date(i.t1),
    t2: i.t2 === null ? null : new Date(i.t2),
  })),
});

describe('can() and "which records" never disagree', () => {
  it.each(regressions.map((r) => [r.name, r] as const))('regression: %s', async (_name, r) => {
    await checkCase(toCase(r));
  });

  it(`holds for ${RUNS} generated policies, subjects and records on PostgreSQL`, {
    timeout: 600_000,
  }, async () => {
    const seed = process.env.POLICY_CONSISTENCY_SEED
      ? Number(process.env.POLICY_CONSISTENCY_SEED)
      : undefined;
    await fc.assert(fc.asyncProperty(caseArb, checkCase), {
      numRuns: RUNS,
      ...(seed === undefined ? {} : { seed }),
      // fast-check prints the seed, the path and the shrunk counterexample on failure.
      verbose: 1,
    });
  });

  afterAll(() => {
    // The generators must reach the interesting cases, or the proof proves little.
    if (stats.cases < RUNS) return;
    console.info('policy consistency:', stats);
    expect(stats.conditional / stats.cases).toBeGreaterThan(0.2);
    expect(stats.mixed / stats.cases).toBeGreaterThan(0.05);
    expect(stats.allowedRecords).toBeGreaterThan(0);
    expect(stats.mikroOrmRefused).toBeGreaterThan(0);
  });
});
