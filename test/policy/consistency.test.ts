import { readFileSync } from 'node:fs';
import {
  compile,
  type MikroOrmFields,
  type Plan,
  PlanConversionError,
  type PolicyDocument,
  PolicyInputError,
  PolicyValidationError,
  type Residual,
  type SqlColumns,
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

/** Every class of input of issue #12: a run of 2,000 generated cases or more must reach each. */
const issue12Classes = [
  'undeclared or empty resource type',
  'unstorable string in a document',
  'unstorable string in a subject',
  'invalid or out-of-range timestamp literal',
  'contains with a hostile string (MikroORM)',
  'name on Object.prototype',
  'attribute named constructor',
  'subject that is not what the types say',
  'subject with an empty tenant',
  'condition nested too deep',
];

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

const itemColumns = {
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
const itemFields = {
  ...itemColumns,
  tenant_id: 'tenantId',
  owner: { property: 'owner', type: 'uuid' },
} as const;
// docs: every attribute in a column of another name, behind a table alias.
const docColumns = {
  org: 'd.org_id',
  constructor: 'd.ctor',
  title: 'd.title',
  score: 'd.score',
  at: 'd.at',
  labels: 'd.labels',
} as const;
const docFields = {
  org: 'orgId',
  constructor: 'ctor',
  title: 'title',
  score: 'score',
  at: 'at',
  labels: 'labels',
} as const;

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

const Doc = defineEntity({
  name: 'Doc',
  tableName: 'docs',
  properties: {
    id: p.integer().primary(),
    caseId: p.integer(),
    orgId: p.text().nullable(),
    ctor: p.text().nullable(),
    title: p.text().nullable(),
    score: p.double().nullable(),
    at: p.datetime(3).nullable(),
    labels: p.array().nullable(),
  },
});

const itemTableColumns = ['tenant_id', 's1', 's2', 'owner', 'n1', 'n2', 'b1', 't1', 't2', 'tags'] as const;
const docTableColumns = ['org_id', 'ctor', 'title', 'score', 'at', 'labels'] as const;

/** How one resource type lives in PostgreSQL and in MikroORM, and how a row becomes attributes. */
interface Table {
  name: string;
  from: string;
  id: string;
  tableColumns: readonly string[];
  columns: SqlColumns;
  fields: MikroOrmFields;
  entity: typeof Item | typeof Doc;
  attributes(row: Record<string, unknown>): Record<string, unknown>;
}

const tables: Record<'item' | 'doc', Table> = {
  item: {
    name: 'items',
    from: 'items',
    id: 'id',
    tableColumns: itemTableColumns,
    columns: itemColumns,
    fields: itemFields,
    entity: Item,
    attributes: ({ id: _id, ...attributes }) => attributes,
  },
  doc: {
    name: 'docs',
    from: 'docs d',
    id: 'd.id',
    tableColumns: docTableColumns,
    columns: docColumns,
    fields: docFields,
    entity: Doc,
    // Missing keys, not nulls: a record without `constructor` must not read Object's.
    attributes: (row) => {
      const out: Record<string, unknown> = {};
      const set = (name: string, value: unknown) => {
        if (value !== null) out[name] = value;
      };
      set('org', row.org_id);
      set('constructor', row.ctor);
      set('title', row.title);
      set('score', row.score);
      set('at', row.at);
      set('labels', row.labels);
      return out;
    },
  },
};

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
    create table docs (
      id serial primary key,
      case_id int not null,
      org_id text, ctor text, title text, score float8, at timestamptz(3), labels text[]
    );
    create index on docs (case_id);
  `);
  orm = await MikroORM.init({
    clientUrl: db.url,
    entities: [Item, Doc],
    debug: false,
    allowGlobalContext: true,
  });
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
  refusedDocuments: number;
  refusedSubjects: number;
  /** decided cases about a type the document declares */
  declared: number;
}
const stats: Stats = {
  cases: 0,
  conditional: 0,
  mixed: 0,
  allowedRecords: 0,
  deniedRecords: 0,
  mikroOrmRefused: 0,
  refusedDocuments: 0,
  refusedSubjects: 0,
  declared: 0,
};
/** The classes of issue #12 the generated cases reached: each must be reached in a full run. */
const reached = new Set<string>();

async function loadRows(table: Table, records: object[]): Promise<Record<string, unknown>[]> {
  const caseId = ++caseCounter;
  const values: unknown[] = [caseId];
  const tuples = records.map((record) => {
    const placeholders = table.tableColumns.map((c) => {
      values.push((record as Record<string, unknown>)[c]);
      return `$${values.length}`;
    });
    return `($1, ${placeholders.join(', ')})`;
  });
  await client.query(
    `insert into ${table.name} (case_id, ${table.tableColumns.join(', ')}) values ${tuples.join(', ')}`,
    values,
  );
  // Decide on the rows as PostgreSQL returns them, the way an application would see them.
  const { rows } = await client.query(
    `select id, case_id, ${table.tableColumns.join(', ')} from ${table.name} where case_id = $1 order by id`,
    [caseId],
  );
  return rows;
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

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };
function attempt<T>(f: () => T): Attempt<T> {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** How a path refused: the engine's error class, code and where. Anything else is a bug. */
function refusal(a: Attempt<unknown>): string {
  if (a.ok) return 'answered';
  const e = a.error;
  if (e instanceof PolicyValidationError) return `PolicyValidationError ${JSON.stringify(e.issues)}`;
  if (e instanceof PolicyInputError) return `PolicyInputError ${e.code} ${JSON.stringify(e.path)}`;
  throw e;
}

const hostile = /[\s"\\,{}]|^$|^null$|^NULL$|^true$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what is looked for
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function noteDocumentRefusal(e: PolicyValidationError) {
  for (const i of e.issues) {
    if (i.message.includes('NUL character')) reached.add('unstorable string in a document');
    else if (i.message.includes('timestamp')) reached.add('invalid or out-of-range timestamp literal');
    else if (i.message.includes('nest at most')) reached.add('condition nested too deep');
    else if (/unknown (subject )?attribute "(constructor|tostring|valueof|hasownproperty)"/.test(i.message))
      reached.add('name on Object.prototype');
  }
}

function noteDecidedCase(c: ConsistencyCase, plan: Plan) {
  if (!Object.hasOwn(tables, c.resourceType)) reached.add('undeclared or empty resource type');
  if (c.subject.tenant_id === '') reached.add('subject with an empty tenant');
  const strings = [c.subject.id, c.subject.tenant_id, ...Object.values(c.subject.attributes ?? {}).flat()];
  if (strings.some((v) => typeof v === 'string' && unstorable.test(v)))
    reached.add('unstorable string in a subject');
  const json = JSON.stringify(plan.condition ?? null);
  if (/"op":"contains","attr":"(tags|labels)","value":/.test(json)) {
    const values = [...json.matchAll(/"op":"contains","attr":"\w+","value":("(?:[^"\\]|\\.)*")/g)].map(
      (m) => JSON.parse(m[1]!) as string,
    );
    if (values.some((v) => hostile.test(v))) reached.add('contains with a hostile string (MikroORM)');
  }
  if (c.resourceType === 'doc' && /"attr":"constructor"/.test(json))
    reached.add('attribute named constructor');
}

async function checkCase(c: ConsistencyCase): Promise<void> {
  // can() runs generated code by default; the closures are what runs where code generation
  // is not allowed (a strict CSP). Both must give the same answer, or refuse alike.
  const compiled = attempt(() => compile(c.policy));
  const withoutCodegen = attempt(() => compile(c.policy, { codegen: false }));
  if (!compiled.ok || !withoutCodegen.ok) {
    expect(refusal(withoutCodegen), 'compile() refuses alike with and without code generation').toBe(
      refusal(compiled),
    );
    expect(compiled.ok ? undefined : compiled.error).toBeInstanceOf(PolicyValidationError);
    noteDocumentRefusal((compiled as { error: PolicyValidationError }).error);
    stats.refusedDocuments++;
    return;
  }
  const policy = compiled.value;
  const closures = withoutCodegen.value;
  const table = Object.hasOwn(tables, c.resourceType)
    ? tables[c.resourceType as 'item' | 'doc']
    : tables.item;
  const rows = await loadRows(table, c.resourceType === 'doc' ? c.docs : c.items);
  const caseId = rows[0]!.case_id as number;
  const resourceOf = (row: Record<string, unknown>) => ({
    type: c.resourceType,
    attributes: table.attributes(row),
  });

  // A subject that is not what the types say: every path refuses it, with the same error.
  const planned = attempt(() => policy.plan(c.subject, c.action, c.resourceType));
  if (!planned.ok) {
    const expected = refusal(planned);
    expect(planned.error, expected).toBeInstanceOf(PolicyInputError);
    const resource = resourceOf(rows[0]!);
    const paths: [string, () => unknown][] = [
      ['plan() without code generation', () => closures.plan(c.subject, c.action, c.resourceType)],
      ['can()', () => policy.can(c.subject, c.action, resource)],
      ['can() without code generation', () => closures.can(c.subject, c.action, resource)],
      ['explain()', () => policy.explain(c.subject, c.action, resource)],
      ['can() without a resource', () => policy.can(c.subject, c.action)],
      ['can() without a resource, no code generation', () => closures.can(c.subject, c.action)],
      ['explain() without a resource', () => policy.explain(c.subject, c.action)],
    ];
    for (const [name, f] of paths) expect(refusal(attempt(f)), name).toBe(expected);
    reached.add('subject that is not what the types say');
    stats.refusedSubjects++;
    return;
  }
  const plan = planned.value;
  const predicate = toPredicate(plan);
  noteDecidedCase(c, plan);

  // Without a resource: generated code, closures and explain() agree.
  const bare = policy.can(c.subject, c.action);
  expect(closures.can(c.subject, c.action), 'can() without a resource, no code generation').toBe(bare);
  expect(policy.explain(c.subject, c.action).allowed, 'explain() without a resource').toBe(bare);

  const expected = new Set<number>();
  for (const row of rows) {
    const id = row.id as number;
    const resource = resourceOf(row);
    const allowed = policy.can(c.subject, c.action, resource);
    if (allowed) expected.add(id);
    expect(closures.can(c.subject, c.action, resource), `can() without code generation, row ${id}`).toBe(
      allowed,
    );
    expect(policy.explain(c.subject, c.action, resource).allowed, `explain() for row ${id}`).toBe(allowed);
    expect(
      predicate(resource.attributes),
      `toPredicate(plan) for row ${id}: ${JSON.stringify(resource.attributes)}`,
    ).toBe(allowed);
  }

  const sql = toSql(plan, table.columns, { paramOffset: 1 });
  const selected = await client.query<{ id: number }>(
    `select ${table.id} from ${table.from} where ${table.id.replace('id', 'case_id')} = $1 and ${sql.text}`,
    [caseId, ...sql.values],
  );
  expect(new Set(selected.rows.map((r) => r.id)), `toSql: ${sql.text} ${JSON.stringify(sql.values)}`).toEqual(
    expected,
  );

  let filter: Record<string, unknown> | undefined;
  try {
    filter = toMikroOrm(plan, table.fields);
  } catch (e) {
    // The only refusal the MikroORM adapter is allowed: comparing two attributes.
    expect(e).toBeInstanceOf(PlanConversionError);
    expect(mentionsAttributeComparison(plan.condition)).toBe(true);
    stats.mikroOrmRefused++;
  }
  if (filter) {
    const em = orm.em.fork();
    const found = (await em.find(table.entity as typeof Item, { $and: [{ caseId }, filter] } as never, {
      fields: ['id'],
    })) as { id: number }[];
    expect(new Set(found.map((r) => r.id)), `toMikroOrm: ${JSON.stringify(filter)}`).toEqual(expected);
  }

  stats.cases++;
  if (Object.hasOwn(tables, c.resourceType)) stats.declared++;
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
  resourceType: 'item',
  items: r.items.map((i) => ({
    ...i,
    t1: i.t1 === null ? null : new Date(i.t1),
    t2: i.t2 === null ? null : new Date(i.t2),
  })),
  docs: [],
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
    const generated = stats.cases + stats.refusedDocuments + stats.refusedSubjects;
    if (generated < RUNS) return;
    console.info('policy consistency:', stats, [...reached].sort());
    expect(stats.conditional / stats.declared).toBeGreaterThan(0.2);
    expect(stats.mixed / stats.declared).toBeGreaterThan(0.05);
    expect(stats.allowedRecords).toBeGreaterThan(0);
    expect(stats.mikroOrmRefused).toBeGreaterThan(0);
    // Most generated cases must be decided, not refused, or the proof proves little.
    expect(stats.cases / generated).toBeGreaterThan(0.7);
    if (RUNS >= 2000) expect([...reached].sort()).toEqual([...issue12Classes].sort());
  });
});
