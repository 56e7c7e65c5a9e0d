import { PlanConversionError } from '../errors';
import { and, FALSE, not, or } from '../partial';
import type { Residual } from '../residual';
import { isStorableString, MAX_TIMESTAMP, MIN_TIMESTAMP } from '../values';

/**
 * Negation normal form for the database adapters.
 *
 * SQL has three-valued logic: `NOT (status = 'x')` is NULL, not true, when status is
 * NULL, so a naive translation of `not` would hide records that can() allows. Instead
 * the adapters never emit NOT over a comparison that can be NULL: negations are pushed
 * down to the leaves, and each leaf is rendered either as itself or as its exact
 * complement with the NULL cases spelled out (`status <> 'x' OR status IS NULL`).
 *
 * A rendered leaf is TRUE exactly when the leaf holds and FALSE or NULL otherwise; AND
 * and OR keep that property, and WHERE treats NULL as not selected, so the selected
 * rows are exactly the ones the plan allows.
 */
export type Leaf = Exclude<Residual, { op: 'true' | 'false' | 'and' | 'or' | 'not' }>;

export type Nnf =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and' | 'or'; args: Nnf[] }
  /** `negated: false`: the leaf holds; `negated: true`: it does not (null cases included). */
  | { op: 'leaf'; leaf: Leaf; negated: boolean };

/** Rewrites leaves (an adapter uses this to fold values its columns can never hold), then re-folds. */
export function mapLeaves(r: Residual, fn: (leaf: Leaf) => Residual): Residual {
  switch (r.op) {
    case 'true':
    case 'false':
      return r;
    case 'and':
      return and(r.args.map((a) => mapLeaves(a, fn)));
    case 'or':
      return or(r.args.map((a) => mapLeaves(a, fn)));
    case 'not':
      return not(mapLeaves(r.arg, fn));
    default:
      return fn(r);
  }
}

export function toNnf(r: Residual, negated = false): Nnf {
  switch (r.op) {
    case 'true':
      return { op: negated ? 'false' : 'true' };
    case 'false':
      return { op: negated ? 'true' : 'false' };
    case 'not':
      return toNnf(r.arg, !negated);
    case 'and':
    case 'or': {
      // De Morgan: not (a and b) = (not a) or (not b)
      const op = (r.op === 'and') !== negated ? 'and' : 'or';
      const args: Nnf[] = [];
      for (const a of r.args) {
        const n = toNnf(a, negated);
        // (a AND (b AND c)) is (a AND b AND c): flatter SQL, same meaning.
        if (n.op === op) args.push(...n.args);
        else args.push(n);
      }
      return { op, args };
    }
    default:
      return { op: 'leaf', leaf: r, negated };
  }
}

const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lower-case, hyphenated: the only spelling PostgreSQL returns, so the only one can() can ever see equal. */
export function isCanonicalUuid(v: unknown): v is string {
  return typeof v === 'string' && canonicalUuid.test(v);
}

/**
 * For attributes stored in uuid (or uuid[]) columns. A uuid column reads back in
 * canonical form, so a value in any other spelling never equals what can() sees: the
 * comparison is false. Folding it here also keeps PostgreSQL from rejecting the
 * parameter (`invalid input syntax for type uuid`).
 */
export function foldImpossibleUuids(r: Residual, isUuidAttribute: (attr: string) => boolean): Residual {
  return mapLeaves(r, (leaf) => {
    if (!isUuidAttribute(leaf.attr)) return leaf;
    switch (leaf.op) {
      case 'in': {
        const values = leaf.values.filter(isCanonicalUuid);
        return values.length === 0 ? FALSE : { ...leaf, values };
      }
      case 'contains':
      case 'eq':
        return isCanonicalUuid(leaf.value) ? leaf : FALSE;
      default:
        return leaf;
    }
  });
}

/**
 * For the database adapters (SQL and MikroORM), before rendering, one pass that makes the
 * query say exactly what can() says about every row the database can hold:
 *
 * - a string PostgreSQL cannot store (a NUL character, a lone UTF-16 surrogate) can never
 *   equal a column's value, so `eq`/`contains` with it are false and `in` drops it
 *   (PostgreSQL would otherwise fail, or compare U+FFFD instead);
 * - a value a uuid column can never hold is folded the same way (foldImpossibleUuids);
 * - a timestamp outside 0001-01-01..9999-12-31 (UTC) cannot come from plan(), which reads
 *   such values as null: a plan holding one was not made by this engine, and is refused
 *   (`invalid_value`) rather than sent to PostgreSQL.
 */
export function foldForDatabase(r: Residual, isUuidAttribute: (attr: string) => boolean): Residual {
  return mapLeaves(foldImpossibleUuids(r, isUuidAttribute), (leaf) => {
    switch (leaf.op) {
      case 'in': {
        if (leaf.type === 'timestamp') for (const v of leaf.values) checkTimestamp(leaf.attr, v);
        if (leaf.type !== 'string') return leaf;
        const values = leaf.values.filter((v) => isStorableString(v as string));
        if (values.length === leaf.values.length) return leaf;
        return values.length === 0 ? FALSE : { ...leaf, values };
      }
      case 'contains':
        return isStorableString(leaf.value) ? leaf : FALSE;
      case 'eq':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        if (leaf.type === 'timestamp') checkTimestamp(leaf.attr, leaf.value);
        return leaf.type === 'string' && !isStorableString(leaf.value as string) ? FALSE : leaf;
      default:
        return leaf;
    }
  });
}

function checkTimestamp(attr: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= MIN_TIMESTAMP && value <= MAX_TIMESTAMP)) {
    throw new PlanConversionError(
      'invalid_value',
      `the plan compares "${attr}" with ${JSON.stringify(value)}, which is not a timestamp between 0001-01-01 and 9999-12-31 (UTC)`,
    );
  }
}

/** Whether a tenant id can be in a column at all (text; uuid columns also need canonical form). */
export function tenantStorable(value: string, uuid: boolean): boolean {
  return value !== '' && isStorableString(value) && (!uuid || isCanonicalUuid(value));
}

/** A PostgreSQL array literal of strings, every element quoted: exact for any storable string. */
export function pgTextArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
