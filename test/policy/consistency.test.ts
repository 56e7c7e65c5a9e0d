import { readFileSync } from 'node:fs';
import {
  type Condition,
  compile,
  compileValidated,
  formatPath,
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
import {
  type ConsistencyCase,
  caseArb,
  type DocRow,
  docAttributes,
  type ItemRow,
  itemAttributes,
  UUIDS,
} from './generators';

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
  'record timestamp outside 0001..9999',
  // Issue #14: impersonation (`subject.actor`).
  'subject impersonated by an actor',
  'condition on subject.actor',
  // Issue #18: machine clients (`subject.kind`).
  'client subject',
  'condition on subject.kind',
  'subject with scopes',
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
  const times = [...c.items.flatMap((i) => [i.t1, i.t2]), ...c.docs.map((d) => d.at)];
  if (times.some((t) => t !== null && (t.getTime() < -62135596800000 || t.getTime() > 253402300799999)))
    reached.add('record timestamp outside 0001..9999');
  if (c.subject.tenant_id === '') reached.add('subject with an empty tenant');
  if (typeof c.subject.actor === 'string') reached.add('subject impersonated by an actor');
  if (JSON.stringify(c.policy).includes('subject.actor')) reached.add('condition on subject.actor');
  if (c.subject.kind === 'client') reached.add('client subject');
  if (Array.isArray(c.subject.scopes) && c.subject.scopes.length > 0) reached.add('subject with scopes');
  if (JSON.stringify(c.policy).includes('subject.kind')) reached.add('condition on subject.kind');
  const strings = [
    c.subject.id,
    c.subject.tenant_id,
    c.subject.actor,
    ...Object.values(c.subject.attributes ?? {}).flat(),
  ];
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
  // The browser compiles what the server validated without the shape check (no zod in its bundle):
  // a document compile() accepts must compile there too, and decide the same everywhere.
  const browser = compileValidated(c.policy as PolicyDocument);
  // An undeclared type is asked about over the table the case has rows for.
  const table = c.docs.length > 0 ? tables.doc : tables.item;
  const rows = await loadRows(table, c.docs.length > 0 ? c.docs : c.items);
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
      ["the browser's can()", () => browser.can(c.subject, c.action, resource)],
      ["the browser's can() without a resource", () => browser.can(c.subject, c.action)],
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
  expect(browser.can(c.subject, c.action), "the browser's can() without a resource").toBe(bare);

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
    expect(browser.can(c.subject, c.action, resource), `the browser's can(), row ${id}`).toBe(allowed);
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

  describe('issue #12: one fixed case per class of input (each failed before the fix)', () => {
    const base = (rules: NonNullable<PolicyDocument['rules']>, roles: string[] = []): PolicyDocument => ({
      version: 1,
      subject_attributes: { since: 'timestamp', constructor: 'string' } as const,
      resources: {
        item: { tenant_attribute: 'tenant_id', attributes: { ...itemAttributes } },
        doc: { tenant_attribute: 'org', attributes: { ...docAttributes } },
      },
      roles: { member: { permissions: roles } },
      groups: {},
      rules,
    });
    const subject = (extra: Partial<Subject> = {}): Subject => ({
      id: 'a',
      tenant_id: 't1',
      roles: ['member'],
      groups: [],
      ...extra,
    });
    const item = (extra: Partial<ItemRow>): ItemRow => ({
      tenant_id: 't1',
      s1: null,
      s2: null,
      owner: null,
      n1: null,
      n2: null,
      b1: null,
      t1: null,
      t2: null,
      tags: null,
      ...extra,
    });
    const decided = (policy: PolicyDocument, s: Subject, items: ItemRow[], resourceType = 'item') =>
      checkCase({ policy, subject: s, action: 'items.read', resourceType, items, docs: [] });
    const allowIf = (condition: Condition, resource = 'item') => ({
      effect: 'allow' as const,
      actions: ['items.read'],
      resource,
      condition,
    });
    const refused = (doc: unknown): PolicyValidationError => {
      const a = attempt(() => compile(doc));
      const b = attempt(() => compile(doc, { codegen: false }));
      expect(refusal(b)).toBe(refusal(a));
      expect(a.ok ? undefined : a.error).toBeInstanceOf(PolicyValidationError);
      return (a as { error: PolicyValidationError }).error;
    };

    it('1. an empty or undeclared resource type is denied on every path, never a TypeError', async () => {
      // Before: can() with generated code allowed { type: '' } (it shared the entry of
      // checks without a resource); the closures and explain() threw a TypeError.
      const doc = base([], ['*']);
      for (const codegen of [true, false]) {
        const policy = compile(doc, { codegen });
        for (const type of ['', 'nope', 'constructor', '__proto__', 'toString']) {
          const resource = { type, attributes: { tenant_id: 't1' } };
          expect(policy.can(subject(), 'items.read', resource), type).toBe(false);
          expect(policy.explain(subject(), 'items.read', resource)).toEqual({
            allowed: false,
            reason: { kind: 'unknown_resource_type', resource_type: type },
          });
          expect(policy.plan(subject(), 'items.read', type).decision).toBe('never');
        }
        expect(policy.can(subject(), 'items.read')).toBe(true);
      }
      await decided(doc, subject(), [item({})], '');
    });

    it('2. strings PostgreSQL cannot store: refused in a document, never equal to a stored value', async () => {
      // Before: "\ud800" reached PostgreSQL as U+FFFD, so SQL and MikroORM selected the
      // row that can() denies; "a\u0000" made the query fail.
      const byId = base([allowIf({ eq: ['resource.s1', { ref: 'subject.id' }] })]);
      const rows = [item({ s1: '\ufffd' }), item({ s1: 'a' }), item({ s1: null })];
      for (const id of ['\ud800', 'x\udc00', 'a\u0000', '\u0000']) await decided(byId, subject({ id }), rows);
      const notById = base([allowIf({ ne: ['resource.s1', { ref: 'subject.id' }] })]);
      await decided(notById, subject({ id: '\ud800' }), rows);
      await decided(base([], ['items.read']), subject({ tenant_id: '\ud800t1' }), [
        item({ tenant_id: '\ufffdt1' }),
      ]);
      const e = refused(base([allowIf({ eq: ['resource.s1', '\ud800'] })]));
      expect(e.issues.map((i) => formatPath(i.path))).toEqual(['rules[0].condition.eq[1]']);
      expect(refused(base([allowIf({ in: ['resource.s1', ['a', 'b\u0000']] })])).issues[0]!.path).toEqual([
        'rules',
        0,
        'condition',
        'in',
        1,
        1,
      ]);
    });

    it('3. timestamps: calendar-valid and within 0001..9999 in documents; out of range reads as null', async () => {
      // Before: 2026-02-30 and T24:00 were shifted to another day, and out-of-range values
      // made PostgreSQL fail ("date/time field value out of range").
      for (const bad of [
        '2026-02-30T00:00:00Z',
        '2026-01-01T24:00:00Z',
        '0000-12-31T23:59:59.999Z',
        '9999-12-31T23:30:00-01:00',
      ]) {
        const e = refused(base([allowIf({ lt: ['resource.t1', bad] })]));
        expect(
          e.issues.map((i) => formatPath(i.path)),
          bad,
        ).toEqual(['rules[0].condition.lt[1]']);
      }
      compile(base([allowIf({ lt: ['resource.t1', '2024-02-29T23:59:59.999+01:00'] })]));
      const rows = [
        item({ t1: new Date('0001-01-01T00:00:00.000Z') }),
        item({ t1: new Date('9999-12-31T23:59:59.999Z') }),
        item({ t1: new Date('2024-01-01T00:00:00Z') }),
        item({}),
      ];
      const since = base([allowIf({ lte: ['resource.t1', { ref: 'subject.attributes.since' }] })]);
      for (const value of [
        new Date(253402300800000),
        new Date(-62135596800001),
        '2026-02-30T00:00:00Z',
        '9999-12-31T23:59:59.999Z',
        '0001-01-01T00:00:00Z',
      ]) {
        await decided(since, subject({ attributes: { since: value } }), rows);
      }
      await decided(
        base([allowIf({ not: { gt: ['resource.t1', { ref: 'subject.attributes.since' }] } })]),
        subject({ attributes: { since: new Date(8.64e15) } }),
        rows,
      );
      // Rows PostgreSQL holds outside the range read as null: SQL and MikroORM guard for it.
      const outside = [
        item({ t1: new Date(-62135596800001), t2: new Date('2024-01-01T00:00:00Z') }),
        item({ t1: new Date(253402300800000), t2: new Date('2024-01-01T00:00:00Z') }),
        item({ t1: new Date(8.64e15), t2: new Date(Date.UTC(-4000, 0, 1)) }),
        item({ t1: new Date('2024-01-01T00:00:00Z'), t2: new Date(8.64e15) }),
        ...rows,
      ];
      const [readBack] = await loadRows(tables.item, [outside[1]!]);
      expect((readBack!.t1 as Date).getTime()).toBe(253402300800000);
      for (const condition of [
        { exists: 'resource.t1' },
        { lt: ['resource.t1', '2024-06-30T12:00:00Z'] },
        { gte: ['resource.t1', '2024-06-30T12:00:00Z'] },
        { lt: ['resource.t1', { ref: 'resource.t2' }] },
        { gt: ['resource.t1', { ref: 'resource.t2' }] },
      ] as Condition[]) {
        await decided(base([allowIf(condition)]), subject(), outside);
        await decided(base([allowIf({ not: condition })]), subject(), outside);
      }
    });

    it('4. contains: MikroORM selects exactly what SQL does for quotes, spaces, NULL, commas, braces', async () => {
      // Before: MikroORM wrote the array literal by text: " " matched every array, "NULL"
      // became a NULL element, "a,b" two elements.
      const tags = [
        ' ',
        '  ',
        '\t',
        '\n',
        ' a',
        'a ',
        'a',
        'NULL',
        'null',
        '"',
        '\\',
        'a,b',
        '{',
        '}',
        '{a}',
        '',
        '😀',
      ];
      const rows = [
        ...tags.map((t) => item({ tags: [t] })),
        item({ tags: [null] }),
        item({ tags: [] }),
        item({}),
      ];
      for (const needle of tags) {
        await decided(base([allowIf({ contains: ['resource.tags', needle] })]), subject(), rows);
        await decided(base([allowIf({ not: { contains: ['resource.tags', needle] } })]), subject(), rows);
      }
    });

    it('5. names on Object.prototype: own properties only, refused with a path when undeclared', async () => {
      // Before: { exists: "resource.constructor" } was accepted, then threw a TypeError.
      const e = refused(base([allowIf({ exists: 'resource.constructor' })]));
      expect(e.issues).toEqual([
        {
          path: ['rules', 0, 'condition', 'exists'],
          message: 'unknown attribute "constructor" on resource type "item"',
        },
      ]);
      expect(refused(base([allowIf({ exists: 'subject.attributes.valueof' })])).issues[0]!.path).toEqual([
        'rules',
        0,
        'condition',
        'exists',
      ]);
      expect(
        refused({
          ...base([]),
          resources: { item: { tenant_attribute: 'constructor', attributes: { s: 'string' } } },
        }).issues[0]!.path,
      ).toEqual(['resources', 'item', 'tenant_attribute']);
      // Declared, `constructor` is an attribute like any other; a record without it reads null, not Object.
      const docs: DocRow[] = [
        { org_id: 't1', ctor: null, title: null, score: null, at: null, labels: null },
        { org_id: 't1', ctor: 'a', title: null, score: null, at: null, labels: null },
      ];
      for (const condition of [
        { exists: 'resource.constructor' },
        { not: { exists: 'resource.constructor' } },
        { eq: ['resource.constructor', { ref: 'subject.attributes.constructor' }] },
      ] as Condition[]) {
        await checkCase({
          policy: base([allowIf(condition, 'doc')]),
          subject: subject({
            attributes: { constructor: 'a' },
            roles: ['member', 'constructor', 'toString'],
          }),
          action: 'items.read',
          resourceType: 'doc',
          items: [],
          docs,
        });
      }
    });

    it('6. subjects: an empty tenant is allowed nothing; a malformed subject is refused alike everywhere', async () => {
      // Before: an empty, numeric or missing tenant_id, or missing roles, were allowed
      // actions without a resource.
      const doc = base([{ effect: 'allow', actions: ['items.read'] }], ['items.read']);
      for (const codegen of [true, false]) {
        const policy = compile(doc, { codegen });
        expect(policy.can(subject({ tenant_id: '' }), 'items.read')).toBe(false);
        expect(policy.explain(subject({ tenant_id: '' }), 'items.read').allowed).toBe(false);
        const bad: [Record<string, unknown>, (string | number)[]][] = [
          [{ tenant_id: 5 }, ['subject', 'tenant_id']],
          [{ tenant_id: undefined }, ['subject', 'tenant_id']],
          [{ roles: undefined }, ['subject', 'roles']],
          [{ groups: undefined }, ['subject', 'groups']],
          [{ roles: 'member' }, ['subject', 'roles']],
          [{ attributes: 'x' }, ['subject', 'attributes']],
          [{ id: null }, ['subject', 'id']],
        ];
        for (const [extra, path] of bad) {
          const s = { ...subject(), ...extra } as unknown as Subject;
          const paths: (() => unknown)[] = [
            () => policy.can(s, 'items.read'),
            () => policy.can(s, 'items.read', { type: 'item', attributes: { tenant_id: 't1' } }),
            () => policy.explain(s, 'items.read'),
            () => policy.plan(s, 'items.read', 'item'),
          ];
          for (const f of paths) {
            expect(refusal(attempt(f))).toBe(`PolicyInputError invalid_subject ${JSON.stringify(path)}`);
          }
        }
      }
      await decided(doc, subject({ tenant_id: '' }), [item({ tenant_id: '' }), item({})]);
      // Not refused: role names that are not strings never match anything, on every path.
      await decided(doc, { ...subject(), roles: [7, 'member', null] } as unknown as Subject, [item({})]);
      await decided(doc, { ...subject(), roles: [7] } as unknown as Subject, [item({})]);
    });

    it('7. depth and size: refused with a path before anything recurses', () => {
      // Before: 3,000 nested `not`s overflowed the stack (RangeError) inside zod.
      const nest = (n: number): Condition => {
        let c: Condition = { exists: 'resource.s1' };
        for (let i = 0; i < n; i++) c = { not: c };
        return c;
      };
      const deep = refused(base([allowIf(nest(3000))]));
      expect(deep.issues[0]!.message).toContain('nest at most 32 levels');
      expect(deep.issues[0]!.path.slice(0, 3)).toEqual(['rules', 0, 'condition']);
      compile(base([allowIf(nest(31))]));
      expect(refused(base([allowIf(nest(32))])).issues[0]!.path).toHaveLength(3 + 32);
      // JSON nesting outside conditions, and size.
      let junk: unknown = 1;
      for (let i = 0; i < 5000; i++) junk = [junk];
      expect(refused({ ...base([]), extra: junk }).issues[0]!.message).toContain('nested deeper than 100');
      const wide = Array.from({ length: 1000 }, () =>
        allowIf({ and: Array.from({ length: 100 }, () => ({ eq: ['resource.s1', 'a'] }) as Condition) }),
      );
      expect(refused(base(wide)).issues[0]!.message).toContain('more than 100000 values');
    });

    it('8. subject.actor (impersonation, #14): a deny while impersonating holds on every path', async () => {
      // The docs' example: allow reading, deny it while someone impersonates the subject.
      const denyWhileImpersonating = base([
        allowIf({ exists: 'resource.s1' }),
        {
          effect: 'deny' as const,
          actions: ['items.*'],
          resource: 'item',
          condition: { exists: 'subject.actor' },
        },
      ]);
      const rows = [item({ s1: 'a' }), item({ s1: null }), item({ s1: UUIDS[0] })];
      for (const codegen of [true, false]) {
        const policy = compile(denyWhileImpersonating, { codegen });
        const record = { type: 'item', attributes: { tenant_id: 't1', s1: 'a' } };
        expect(policy.can(subject(), 'items.read', record)).toBe(true);
        expect(policy.can(subject({ actor: null }), 'items.read', record)).toBe(true);
        expect(policy.can(subject({ actor: UUIDS[0] }), 'items.read', record)).toBe(false);
        expect(policy.plan(subject({ actor: UUIDS[0] }), 'items.read', 'item').decision).toBe('never');
      }
      for (const actor of [undefined, null, UUIDS[0], '', '\ud800']) {
        await decided(denyWhileImpersonating, subject({ actor }), rows);
      }
      // Compared with a record: an actor id equal to a stored value, or a hostile one.
      const byActor = base([allowIf({ eq: ['resource.s1', { ref: 'subject.actor' }] })]);
      for (const actor of [UUIDS[0], 'a', '', '\ud800', 'a\u0000', null]) {
        await decided(byActor, subject({ actor }), rows);
      }
      // A malformed actor is refused alike everywhere.
      const policy = compile(byActor);
      for (const actor of [5, { sub: 'x' }, ['x']]) {
        const s = { ...subject(), actor } as unknown as Subject;
        const paths: (() => unknown)[] = [
          () => policy.can(s, 'items.read'),
          () => policy.plan(s, 'items.read', 'item'),
        ];
        for (const f of paths) {
          expect(refusal(attempt(f))).toBe('PolicyInputError invalid_subject ["subject","actor"]');
        }
      }
    });

    it("10. subject.scopes (machine clients, #18): a grant like a role's, deny rules still win, on every path", async () => {
      const policy = base([
        {
          effect: 'deny' as const,
          actions: ['items.*'],
          resource: 'item',
          condition: { eq: ['resource.s1', 'secret'] },
        },
      ]);
      const rows = [item({ s1: 'a' }), item({ s1: 'secret' }), item({ s1: null })];
      for (const codegen of [true, false]) {
        const c = compile(policy, { codegen });
        const record = { type: 'item', attributes: { tenant_id: 't1', s1: 'a' } };
        const client = subject({ kind: 'client', roles: [], groups: [], scopes: ['items.*'] });
        expect(c.can(client, 'items.read', record)).toBe(true);
        expect(c.explain(client, 'items.read', record)).toEqual({
          allowed: true,
          reason: { kind: 'allowed_by_scope', scope: 'items.*' },
        });
        expect(c.can(client, 'other.read')).toBe(false);
        expect(c.can({ ...client, scopes: [7, null] as unknown as string[] }, 'items.read', record)).toBe(
          false,
        );
        expect(
          c.can(client, 'items.read', { ...record, attributes: { tenant_id: 't1', s1: 'secret' } }),
        ).toBe(false);
        expect(c.can(client, 'items.read', { ...record, attributes: { tenant_id: 't2', s1: 'a' } })).toBe(
          false,
        );
        expect(c.permissions(client)).toEqual(['items.*']);
      }
      for (const scopes of [undefined, null, [], ['items.read'], ['items.*'], ['other.read'], ['*']]) {
        await decided(policy, subject({ roles: [], groups: [], scopes }), rows);
      }
      const p = compile(policy);
      for (const scopes of ['items.read', {}, 5]) {
        const s = { ...subject(), scopes } as unknown as Subject;
        const paths: (() => unknown)[] = [
          () => p.can(s, 'items.read'),
          () => p.plan(s, 'items.read', 'item'),
        ];
        for (const f of paths) {
          expect(refusal(attempt(f))).toBe('PolicyInputError invalid_subject ["subject","scopes"]');
        }
      }
    });

    it('9. subject.kind (machine clients, #18): absent and null read as "account", on every path', async () => {
      const clientsOnly = base([allowIf({ eq: ['subject.kind', 'client'] })]);
      const accountsOnly = base([
        allowIf({ exists: 'resource.s1' }),
        {
          effect: 'deny' as const,
          actions: ['items.*'],
          resource: 'item',
          condition: { ne: ['subject.kind', 'account'] },
        },
      ]);
      const rows = [item({ s1: 'a' }), item({ s1: null }), item({ s1: 'account' }), item({ s1: 'client' })];
      for (const codegen of [true, false]) {
        const record = { type: 'item', attributes: { tenant_id: 't1', s1: 'a' } };
        const c = compile(clientsOnly, { codegen });
        expect(c.can(subject({ kind: 'client' }), 'items.read', record)).toBe(true);
        for (const kind of [undefined, null, 'account'] as const) {
          expect(c.can(subject({ kind }), 'items.read', record)).toBe(false);
          expect(c.plan(subject({ kind }), 'items.read', 'item').decision).toBe('never');
        }
        const a = compile(accountsOnly, { codegen });
        expect(a.can(subject(), 'items.read', record)).toBe(true);
        expect(a.can(subject({ kind: null }), 'items.read', record)).toBe(true);
        expect(a.can(subject({ kind: 'client' }), 'items.read', record)).toBe(false);
      }
      for (const kind of [undefined, null, 'account', 'client'] as const) {
        await decided(clientsOnly, subject({ kind }), rows);
        await decided(accountsOnly, subject({ kind }), rows);
      }
      // Compared with a record's value: absent reads as "account" there too.
      const byKind = base([allowIf({ eq: ['resource.s1', { ref: 'subject.kind' }] })]);
      for (const kind of [undefined, null, 'account', 'client'] as const) {
        await decided(byKind, subject({ kind }), rows);
      }
      const p = compile(byKind);
      const rec = { type: 'item', attributes: { tenant_id: 't1', s1: 'account' } };
      expect(p.can(subject(), 'items.read', rec)).toBe(true);
      expect(p.can(subject({ kind: 'client' }), 'items.read', rec)).toBe(false);
      // Anything else is refused alike everywhere.
      for (const kind of ['robot', 'Client', 5, {}]) {
        const s = { ...subject(), kind } as unknown as Subject;
        const paths: (() => unknown)[] = [
          () => p.can(s, 'items.read'),
          () => p.plan(s, 'items.read', 'item'),
        ];
        for (const f of paths) {
          expect(refusal(attempt(f))).toBe('PolicyInputError invalid_subject ["subject","kind"]');
        }
      }
    });
  });

  it(`holds for ${RUNS} generated policies, subjects and records on PostgreSQL`, {
    // 600 s, or more for the long run (pnpm policy:long): about 25 ms a case on a slow machine.
    timeout: Math.max(600_000, RUNS * 50),
  }, async () => {
    const seed = process.env.POLICY_CONSISTENCY_SEED
      ? Number(process.env.POLICY_CONSISTENCY_SEED)
      : Math.floor(Math.random() * 2 ** 31);
    const started = Date.now();
    // The seed is printed on success too: the long run's seed goes into docs/benchmarks.md.
    console.info(`policy consistency: ${RUNS} cases, seed ${seed}`);
    await fc.assert(fc.asyncProperty(caseArb, checkCase), {
      numRuns: RUNS,
      seed,
      // fast-check prints the seed, the path and the shrunk counterexample on failure.
      verbose: 1,
    });
    console.info(`policy consistency: ${RUNS} cases, seed ${seed}, passed in ${Date.now() - started} ms`);
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
