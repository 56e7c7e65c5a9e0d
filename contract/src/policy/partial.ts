import { readSubjectRef, type Subject } from './evaluate';
import type { Residual, ComparisonOp as ResidualComparisonOp, ScalarType } from './residual';
import type { ComparisonOp, ListSource, Ref, ScalarOperand, TypedCondition } from './validate';
import { arrayContains, type Value, valueEquals, valueIn, valueLess, valueLessOrEqual } from './values';

/**
 * Partial evaluation: a condition with the subject known and the record unknown. Every
 * `subject.*` reference becomes a value, every part that no longer depends on the record
 * folds to true or false, and what is left mentions only `resource.*`.
 *
 * Each fold uses the same value functions as can(), so the residual means, for every
 * record, exactly what the full condition means for that subject.
 */

export const TRUE: Residual = { op: 'true' };
export const FALSE: Residual = { op: 'false' };

export function and(args: Residual[]): Residual {
  const out: Residual[] = [];
  for (const a of args) {
    if (a.op === 'false') return FALSE;
    if (a.op === 'true') continue;
    if (a.op === 'and') out.push(...a.args);
    else out.push(a);
  }
  if (out.length === 0) return TRUE;
  return out.length === 1 ? out[0]! : { op: 'and', args: out };
}

export function or(args: Residual[]): Residual {
  const out: Residual[] = [];
  for (const a of args) {
    if (a.op === 'true') return TRUE;
    if (a.op === 'false') continue;
    if (a.op === 'or') out.push(...a.args);
    else out.push(a);
  }
  if (out.length === 0) return FALSE;
  return out.length === 1 ? out[0]! : { op: 'or', args: out };
}

export function not(arg: Residual): Residual {
  if (arg.op === 'true') return FALSE;
  if (arg.op === 'false') return TRUE;
  if (arg.op === 'not') return arg.arg;
  return { op: 'not', arg };
}

const constant = (b: boolean): Residual => (b ? TRUE : FALSE);

/** The value of a subject reference or a literal. */
function known(op: ScalarOperand | ListSource, subject: Subject): Value {
  if (op.kind === 'literal') return op.value;
  if (op.kind === 'list') return op.values;
  if (op.kind === 'resource') throw new Error('a resource reference has no known value');
  return readSubjectRef(op, subject);
}

const isResource = (op: ScalarOperand | ListSource): op is Extract<Ref, { kind: 'resource' }> =>
  op.kind === 'resource';

/** `value <op> attr` is `attr <flipped op> value`. */
const flipped: Record<ComparisonOp, ComparisonOp> = { eq: 'eq', lt: 'gt', lte: 'gte', gt: 'lt', gte: 'lte' };

function compareKnown(op: ComparisonOp, a: Value, b: Value): boolean {
  switch (op) {
    case 'eq':
      return valueEquals(a, b);
    case 'lt':
      return valueLess(a, b);
    case 'lte':
      return valueLessOrEqual(a, b);
    case 'gt':
      return valueLess(b, a);
    case 'gte':
      return valueLessOrEqual(b, a);
  }
}

function scalarType(ref: Ref): ScalarType {
  return ref.type as ScalarType;
}

export function partial(cond: TypedCondition, subject: Subject): Residual {
  switch (cond.op) {
    case 'true':
      return TRUE;
    case 'and':
      return and(cond.args.map((c) => partial(c, subject)));
    case 'or':
      return or(cond.args.map((c) => partial(c, subject)));
    case 'not':
      return not(partial(cond.arg, subject));
    case 'exists':
      return isResource(cond.ref)
        ? { op: 'exists', attr: cond.ref.name, type: cond.ref.type }
        : constant(known(cond.ref, subject) !== null);
    case 'contains': {
      const { left, right } = cond;
      if (isResource(left)) {
        // resource.tags contains <known string>
        const needle = known(right, subject);
        return typeof needle === 'string' ? { op: 'contains', attr: left.name, value: needle } : FALSE;
      }
      const array = known(left, subject);
      if (isResource(right)) {
        // <known array> contains resource.x  ==  resource.x in <the array's strings>
        const values = Array.isArray(array)
          ? dedupe(array.filter((v): v is string => typeof v === 'string'))
          : [];
        return values.length > 0 ? { op: 'in', attr: right.name, type: 'string', values } : FALSE;
      }
      return constant(arrayContains(array, known(right, subject)));
    }
    case 'in': {
      const { left, right } = cond;
      if (isResource(left)) {
        const list = known(right, subject);
        const type = scalarType(left);
        // Only values of the attribute's type can ever match (values.ts: valueIn uses ===).
        const values = Array.isArray(list) ? dedupe(list.filter((v) => matchesType(v, type))) : [];
        return values.length > 0 ? { op: 'in', attr: left.name, type, values } : FALSE;
      }
      const needle = known(left, subject);
      if (isResource(right)) {
        // <known string> in resource.tags  ==  resource.tags contains it
        return typeof needle === 'string' ? { op: 'contains', attr: right.name, value: needle } : FALSE;
      }
      return constant(valueIn(needle, known(right, subject) as readonly unknown[] | null));
    }
    default: {
      const { op, left, right } = cond;
      if (isResource(left) && isResource(right)) {
        return { op: 'cmp_attr', cmp: op, attr: left.name, other: right.name, type: scalarType(left) };
      }
      if (isResource(left)) return comparison(op, left, known(right, subject));
      if (isResource(right)) return comparison(flipped[op], right, known(left, subject));
      return constant(compareKnown(op, known(left, subject), known(right, subject)));
    }
  }
}

function comparison(op: ResidualComparisonOp, attr: Ref & { kind: 'resource' }, value: Value): Residual {
  // A comparison with null is false, whatever the record holds.
  if (value === null || Array.isArray(value)) return FALSE;
  return { op, attr: attr.name, type: scalarType(attr), value: value as string | number | boolean };
}

function matchesType(v: unknown, type: ScalarType): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return typeof v === 'number' && Number.isFinite(v);
  }
}

function dedupe<T>(values: T[]): T[] {
  return [...new Set(values)];
}
