import { PlanConversionError } from '../errors';
import type { ComparisonOp, Plan, ScalarType } from '../residual';
import { MAX_TIMESTAMP, MIN_TIMESTAMP } from '../values';
import { foldForDatabase, type Leaf, type Nnf, pgTextArrayLiteral, tenantStorable, toNnf } from './nnf';

/**
 * Which entity property holds an attribute: its name, or an object that also says the
 * property is a uuid (or uuid[]). Only attributes in this map can be used.
 */
export type MikroOrmField = string | { property: string; type?: 'uuid' };
export type MikroOrmFields = Readonly<Record<string, MikroOrmField>>;

/** A MikroORM `FilterQuery` object (typed loosely so this package needs no MikroORM). */
export type MikroOrmFilter = Record<string, unknown>;

const mikroOp: Record<ComparisonOp, string> = { eq: '$eq', lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte' };
const mikroNegatedOp: Record<ComparisonOp, string> = {
  eq: '$ne',
  lt: '$gte',
  lte: '$gt',
  gt: '$lte',
  gte: '$lt',
};
const propertyName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A plan as a MikroORM filter, for `em.find(Entity, filter)`. Built from the same
 * negation normal form as the SQL adapter, so that SQL's NULL logic never leaks in.
 * Refused (PlanConversionError): comparing two attributes of the same record, which a
 * filter object cannot say.
 */
export function toMikroOrm(plan: Plan, fields: MikroOrmFields): MikroOrmFilter {
  const field = (attr: string) => resolveField(fields, attr);
  // A filter object has no FALSE: "null and not null" on one property says it. `never`
  // selects nothing whatever the map: also for a type the document does not declare, whose
  // plan names a tenant attribute this map may not have (any mapped property will do then).
  const none = (name: string) => ({ $and: [{ [name]: null }, { [name]: { $ne: null } }] });
  if (plan.decision === 'never' && !Object.hasOwn(fields, plan.tenant.attribute)) {
    const any = Object.keys(fields)[0];
    if (any !== undefined) return none(field(any).name);
  }
  const tenant = field(plan.tenant.attribute);
  const nothing = none(tenant.name);
  if (plan.decision === 'never' || !tenantStorable(plan.tenant.value, tenant.uuid)) return nothing;
  const tenantFilter = { [tenant.name]: plan.tenant.value };
  if (plan.decision === 'always' || !plan.condition) return tenantFilter;

  const nnf = toNnf(foldForDatabase(plan.condition, (attr) => field(attr).uuid));
  if (nnf.op === 'false') return nothing;
  if (nnf.op === 'true') return tenantFilter;

  const render = (n: Nnf): MikroOrmFilter => {
    switch (n.op) {
      case 'true':
        return {};
      case 'false':
        return nothing;
      case 'and':
        return { $and: n.args.map(render) };
      case 'or':
        return { $or: n.args.map(render) };
      case 'leaf':
        return renderLeaf(n.leaf, n.negated);
    }
  };

  const renderLeaf = (leaf: Leaf, negated: boolean): MikroOrmFilter => {
    const { name } = field(leaf.attr);
    switch (leaf.op) {
      case 'exists':
        if (leaf.type === 'timestamp') {
          // A timestamp outside 0001..9999 reads as null in can() (values.ts).
          return negated
            ? { $or: [{ [name]: null }, { [name]: { $lt: minDate() } }, { [name]: { $gt: maxDate() } }] }
            : { [name]: { $gte: minDate(), $lte: maxDate() } };
        }
        return negated ? { [name]: null } : { [name]: { $ne: null } };
      case 'contains': {
        // A string, not a JS array: MikroORM turns an array into an array literal by text,
        // unquoted (" " then matches every array, "NULL" is a null element). A string goes
        // to PostgreSQL as one bound parameter, cast to text[] there, exactly.
        const test = { [name]: { $contains: pgTextArrayLiteral([leaf.value]) } };
        return negated ? { $or: [{ [name]: null }, { $not: test }] } : test;
      }
      case 'in': {
        const values = leaf.values.map((v) => ormValue(leaf.type, v));
        return negated
          ? { $or: [{ [name]: { $nin: values } }, { [name]: null }] }
          : { [name]: { $in: values } };
      }
      case 'cmp_attr':
        throw new PlanConversionError(
          'unsupported_condition',
          `a MikroORM filter cannot compare two attributes ("${leaf.attr}" and "${leaf.other}"); use toSql()`,
        );
      default: {
        const v = ormValue(leaf.type, leaf.value);
        if (leaf.type === 'timestamp' && leaf.op !== 'eq') {
          // As in toSql: a row below (lt, lte) or above (gt, gte) 0001..9999 reads as null in can().
          const low = leaf.op === 'lt' || leaf.op === 'lte';
          return negated
            ? {
                $or: [
                  { [name]: { [mikroNegatedOp[leaf.op]]: v } },
                  { [name]: null },
                  { [name]: low ? { $lt: minDate() } : { $gt: maxDate() } },
                ],
              }
            : { [name]: { [mikroOp[leaf.op]]: v, ...(low ? { $gte: minDate() } : { $lte: maxDate() }) } };
        }
        return negated
          ? { $or: [{ [name]: { [mikroNegatedOp[leaf.op]]: v } }, { [name]: null }] }
          : { [name]: { [mikroOp[leaf.op]]: v } };
      }
    }
  };

  return { $and: [tenantFilter, render(nnf)] };
}

const minDate = () => new Date(MIN_TIMESTAMP);
const maxDate = () => new Date(MAX_TIMESTAMP);

function ormValue(type: ScalarType, value: string | number | boolean): unknown {
  return type === 'timestamp' ? new Date(value as number) : value;
}

function resolveField(fields: MikroOrmFields, attr: string): { name: string; uuid: boolean } {
  const spec = Object.hasOwn(fields, attr) ? fields[attr] : undefined;
  if (spec === undefined) {
    throw new PlanConversionError(
      'unmapped_attribute',
      `the plan uses attribute "${attr}", which has no property`,
    );
  }
  const name = typeof spec === 'string' ? spec : spec.property;
  if (!propertyName.test(name)) {
    throw new PlanConversionError('invalid_identifier', `"${name}" is not a property name`);
  }
  return { name, uuid: typeof spec === 'object' && spec.type === 'uuid' };
}
