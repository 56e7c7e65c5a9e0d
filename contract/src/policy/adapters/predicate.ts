import type { Plan, Residual } from '../residual';
import {
  arrayContains,
  readerFor,
  readString,
  readStringArray,
  type Value,
  valueEquals,
  valueIn,
  valueLess,
  valueLessOrEqual,
} from '../values';

export type RecordPredicate = (record: Readonly<Record<string, unknown>>) => boolean;

/**
 * A plan as a JavaScript function over a record's attributes, for filtering what is
 * already in memory. It uses the value functions of values.ts, as can() does.
 */
export function toPredicate(plan: Plan): RecordPredicate {
  if (plan.decision === 'never' || plan.tenant.value === '') return () => false;
  const { attribute, value: tenant } = plan.tenant;
  const condition =
    plan.decision === 'always' ? () => true : compileResidual(plan.condition ?? { op: 'true' });
  return (record) => readString(record[attribute]) === tenant && condition(record);
}

function compileResidual(r: Residual): RecordPredicate {
  switch (r.op) {
    case 'true':
      return () => true;
    case 'false':
      return () => false;
    case 'and': {
      const parts = r.args.map(compileResidual);
      return (rec) => parts.every((p) => p(rec));
    }
    case 'or': {
      const parts = r.args.map(compileResidual);
      return (rec) => parts.some((p) => p(rec));
    }
    case 'not': {
      const inner = compileResidual(r.arg);
      return (rec) => !inner(rec);
    }
    case 'exists': {
      const read = readerFor[r.type];
      const { attr } = r;
      return (rec) => read(rec[attr]) !== null;
    }
    case 'contains': {
      const { attr, value } = r;
      return (rec) => arrayContains(readStringArray(rec[attr]), value);
    }
    case 'in': {
      const read = readerFor[r.type];
      const { attr, values } = r;
      return (rec) => valueIn(read(rec[attr]), values);
    }
    case 'cmp_attr': {
      const read = readerFor[r.type];
      const { attr, other } = r;
      const cmp = comparators[r.cmp];
      return (rec) => cmp(read(rec[attr]), read(rec[other]));
    }
    default: {
      const read = readerFor[r.type];
      const { attr, value } = r;
      const cmp = comparators[r.op];
      return (rec) => cmp(read(rec[attr]), value);
    }
  }
}

const comparators: Record<'eq' | 'lt' | 'lte' | 'gt' | 'gte', (a: Value, b: Value) => boolean> = {
  eq: valueEquals,
  lt: valueLess,
  lte: valueLessOrEqual,
  gt: (a, b) => valueLess(b, a),
  gte: (a, b) => valueLessOrEqual(b, a),
};
