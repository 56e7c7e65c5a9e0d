import { PlanConversionError } from '../errors';
import type { ComparisonOp, Plan, ScalarType } from '../residual';
import { foldForDatabase, type Leaf, type Nnf, tenantStorable, toNnf } from './nnf';

/**
 * Where an attribute lives: a column name (`status`, `a.status`), or an object that also
 * says the column is a `uuid` (or `uuid[]`) column. Only attributes in this map can be
 * used; anything else is refused, so a policy document can never name a column.
 */
export type SqlColumn = string | { column: string; type?: 'uuid' };
export type SqlColumns = Readonly<Record<string, SqlColumn>>;

export interface SqlFragment {
  /** A boolean expression for a WHERE clause, with $n placeholders. */
  text: string;
  values: unknown[];
}

export interface ToSqlOptions {
  /** Placeholders start at $<paramOffset + 1>, to splice the fragment into a larger query. */
  paramOffset?: number;
}

const negatedOp: Record<ComparisonOp, string> = { eq: '<>', lt: '>=', lte: '>', gt: '<=', gte: '<' };
const sqlOp: Record<ComparisonOp, string> = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' };
const castFor: Record<ScalarType, string> = {
  string: 'text',
  number: 'float8',
  boolean: 'boolean',
  timestamp: 'timestamptz',
};
const identifierPart = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A plan as a parameterised PostgreSQL boolean expression. Every identifier comes from
 * `columns` (checked and quoted), every value is a parameter, and the tenant condition
 * is always included.
 *
 * Column types: string → text/varchar/uuid (say `type: 'uuid'`), number → float8 or
 * integer, boolean → boolean, timestamp → timestamptz(3), string[] → text[]/uuid[].
 */
export function toSql(plan: Plan, columns: SqlColumns, options: ToSqlOptions = {}): SqlFragment {
  const ctx = new SqlWriter(columns, options.paramOffset ?? 0);
  // `never` selects nothing whatever the columns: also for a type the document does not
  // declare, whose plan names a tenant attribute this map may not have.
  if (plan.decision === 'never') return { text: 'FALSE', values: [] };
  const tenantCol = ctx.column(plan.tenant.attribute);
  if (!tenantStorable(plan.tenant.value, tenantCol.uuid)) {
    return { text: 'FALSE', values: [] };
  }
  const tenantSql = `${tenantCol.sql} = ${ctx.param(plan.tenant.value, tenantCol.uuid ? 'uuid' : 'text')}`;
  if (plan.decision === 'always' || !plan.condition) return { text: tenantSql, values: ctx.values };

  const isUuid = ctx.hasUuidColumns ? (a: string) => ctx.column(a).uuid : () => false;
  const nnf = toNnf(foldForDatabase(plan.condition, isUuid));
  if (nnf.op === 'false') return { text: 'FALSE', values: [] };
  if (nnf.op === 'true') return { text: tenantSql, values: ctx.values };
  return { text: `(${tenantSql} AND ${ctx.render(nnf)})`, values: ctx.values };
}

/** The state of one toSql() call: resolved columns and the parameters so far. */
class SqlWriter {
  readonly values: unknown[] = [];
  readonly hasUuidColumns: boolean;
  private readonly resolved: Map<string, ResolvedColumn>;

  constructor(
    private readonly columns: SqlColumns,
    private readonly offset: number,
  ) {
    // Column maps are usually module constants: check and quote each column once, not per query.
    let cached = resolvedByMap.get(columns);
    if (!cached) {
      cached = {
        columns: new Map(),
        hasUuid: Object.values(columns).some((c) => typeof c === 'object' && c.type === 'uuid'),
      };
      resolvedByMap.set(columns, cached);
    }
    this.resolved = cached.columns;
    this.hasUuidColumns = cached.hasUuid;
  }

  column(attr: string): ResolvedColumn {
    let c = this.resolved.get(attr);
    if (!c) {
      c = resolveColumn(this.columns, attr);
      this.resolved.set(attr, c);
    }
    return c;
  }

  param(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.offset + this.values.length}::${cast}`;
  }

  render(n: Nnf): string {
    switch (n.op) {
      case 'true':
        return 'TRUE';
      case 'false':
        return 'FALSE';
      case 'and':
      case 'or': {
        let out = '';
        for (const a of n.args) out += (out === '' ? '' : n.op === 'and' ? ' AND ' : ' OR ') + this.render(a);
        return `(${out})`;
      }
      case 'leaf':
        return this.leaf(n.leaf, n.negated);
    }
  }

  private leaf(leaf: Leaf, negated: boolean): string {
    const col = this.column(leaf.attr);
    switch (leaf.op) {
      case 'exists':
        if (leaf.type === 'timestamp') {
          // A timestamp outside 0001..9999 reads as null in can() (values.ts).
          return negated
            ? `(${col.sql} IS NULL OR ${col.sql} < ${minTs} OR ${col.sql} > ${maxTs})`
            : `(${col.sql} >= ${minTs} AND ${col.sql} <= ${maxTs})`;
        }
        return negated ? `${col.sql} IS NULL` : `${col.sql} IS NOT NULL`;
      case 'contains': {
        const test = `${col.sql} @> ARRAY[${this.param(leaf.value, col.uuid ? 'uuid' : 'text')}]`;
        // NOT over @> is safe once the array is known not to be NULL.
        return negated ? `(${col.sql} IS NULL OR NOT (${test}))` : test;
      }
      case 'in': {
        const list = this.param(
          leaf.values.map((v) => sqlValue(leaf.type, v)),
          `${cast(leaf.type, col.uuid)}[]`,
        );
        return negated ? `(${col.sql} <> ALL(${list}) OR ${col.sql} IS NULL)` : `${col.sql} = ANY(${list})`;
      }
      case 'cmp_attr': {
        const other = this.column(leaf.other);
        // Compare a uuid column with a text column as text: both spell the value the same way.
        const mixed = col.uuid !== other.uuid;
        const a = mixed && col.uuid ? `${col.sql}::text` : col.sql;
        const b = mixed && other.uuid ? `${other.sql}::text` : other.sql;
        if (leaf.type === 'timestamp') {
          // Both must be within 0001..9999, or can() reads null and the comparison is false.
          const out = `${col.sql} < ${minTs} OR ${col.sql} > ${maxTs} OR ${other.sql} < ${minTs} OR ${other.sql} > ${maxTs}`;
          return negated
            ? `(${a} ${negatedOp[leaf.cmp]} ${b} OR ${col.sql} IS NULL OR ${other.sql} IS NULL OR ${out})`
            : `(${a} ${sqlOp[leaf.cmp]} ${b} AND NOT (${out}))`;
        }
        return negated
          ? `(${a} ${negatedOp[leaf.cmp]} ${b} OR ${col.sql} IS NULL OR ${other.sql} IS NULL)`
          : `${a} ${sqlOp[leaf.cmp]} ${b}`;
      }
      default: {
        const p = this.param(sqlValue(leaf.type, leaf.value), cast(leaf.type, col.uuid));
        // A value is always within 0001..9999 (foldForDatabase); a row below (lt, lte) or above
        // (gt, gte) it would pass the comparison in SQL, while can() reads it as null.
        const guard =
          leaf.type !== 'timestamp' || leaf.op === 'eq'
            ? ''
            : leaf.op === 'lt' || leaf.op === 'lte'
              ? negated
                ? ` OR ${col.sql} < ${minTs}`
                : ` AND ${col.sql} >= ${minTs}`
              : negated
                ? ` OR ${col.sql} > ${maxTs}`
                : ` AND ${col.sql} <= ${maxTs}`;
        return negated
          ? `(${col.sql} ${negatedOp[leaf.op]} ${p} OR ${col.sql} IS NULL${guard})`
          : guard === ''
            ? `${col.sql} ${sqlOp[leaf.op]} ${p}`
            : `(${col.sql} ${sqlOp[leaf.op]} ${p}${guard})`;
      }
    }
  }
}

// The timestamp range of values.ts, as constants in the SQL text (they never come from a document).
const minTs = `'0001-01-01T00:00:00.000Z'::timestamptz`;
const maxTs = `'9999-12-31T23:59:59.999Z'::timestamptz`;

function cast(type: ScalarType, uuid: boolean): string {
  return uuid && type === 'string' ? 'uuid' : castFor[type];
}

function sqlValue(type: ScalarType, value: string | number | boolean): unknown {
  // Timestamps travel as epoch ms in plans; PostgreSQL gets ISO 8601 (exact to the ms).
  return type === 'timestamp' ? new Date(value as number).toISOString() : value;
}

const resolvedByMap = new WeakMap<SqlColumns, { columns: Map<string, ResolvedColumn>; hasUuid: boolean }>();

interface ResolvedColumn {
  sql: string;
  uuid: boolean;
}

function resolveColumn(columns: SqlColumns, attr: string): ResolvedColumn {
  const spec = Object.hasOwn(columns, attr) ? columns[attr] : undefined;
  if (spec === undefined) {
    throw new PlanConversionError(
      'unmapped_attribute',
      `the plan uses attribute "${attr}", which has no column`,
    );
  }
  const name = typeof spec === 'string' ? spec : spec.column;
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => identifierPart.test(p))) {
    throw new PlanConversionError(
      'invalid_identifier',
      `column "${name}" for attribute "${attr}" is not a plain identifier (name or alias.name)`,
    );
  }
  return {
    sql: parts.map((p) => `"${p}"`).join('.'),
    uuid: typeof spec === 'object' && spec.type === 'uuid',
  };
}
