import type { Condition, PolicyDocument, Subject } from '@enforcer/contract/policy';
import fc from 'fast-check';

/**
 * Generators for the consistency suite: policy documents, subjects, actions and records
 * over one resource type (`item`) whose attributes map onto a real PostgreSQL table.
 *
 * Value pools are small on purpose, so that generated literals, subject values and
 * record values collide often: a comparison that is never true tests nothing.
 */

export const TENANTS = ['t1', 't2'] as const;
export const UUIDS = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '9f3c2a10-5b7e-4c1d-a0e2-7d6b5c4a3f21',
] as const;
// Spellings PostgreSQL would accept for a uuid column but never returns, and a non-uuid.
const UUID_LITERALS = [...UUIDS, '9F3C2A10-5B7E-4C1D-A0E2-7D6B5C4A3F21', 'not-a-uuid'];
const STRINGS = ['a', 'b', 'B', '', 'a b', 'é', "o'brien"];
const NUMBERS = [-1.5, -1, 0, 0.5, 1, 2, 1e9];
const TIMESTAMPS = [
  '2020-01-01T00:00:00.000Z',
  '2024-06-30T12:00:00.000Z',
  '2024-06-30T12:00:00.001Z',
  '2030-01-01T00:00:00Z',
];
const ROLES = ['owner', 'admin', 'member'] as const;
const GROUPS = ['verified', 'support'] as const;
export const ACTIONS = ['items.read', 'items.update', 'items.notes.read', 'other.read'] as const;
const PATTERNS = ['items.read', 'items.update', 'items.*', '*', 'other.read', 'items.notes.read'];

/** The resource type of the suite, and the column each attribute lives in. */
export const itemAttributes = {
  tenant_id: 'string',
  s1: 'string',
  s2: 'string',
  owner: 'string', // a uuid column
  n1: 'number',
  n2: 'number',
  b1: 'boolean',
  t1: 'timestamp',
  t2: 'timestamp',
  tags: 'string[]',
} as const;
type ItemAttribute = keyof typeof itemAttributes;
type AttrType = (typeof itemAttributes)[ItemAttribute];

const subjectAttributes = {
  level: 'number',
  nick: 'string',
  since: 'timestamp',
  labels: 'string[]',
  flag: 'boolean',
} as const;

interface RefInfo {
  ref: string;
  type: AttrType;
  resource: boolean;
  /** for contains/in literals on subject.roles / subject.groups: only declared names */
  names?: readonly string[];
}

const resourceRefs: RefInfo[] = Object.entries(itemAttributes).map(([name, type]) => ({
  ref: `resource.${name}`,
  type,
  resource: true,
}));
const subjectRefs: RefInfo[] = [
  { ref: 'subject.id', type: 'string', resource: false },
  { ref: 'subject.tenant_id', type: 'string', resource: false },
  { ref: 'subject.roles', type: 'string[]', resource: false, names: ROLES },
  { ref: 'subject.groups', type: 'string[]', resource: false, names: GROUPS },
  ...Object.entries(subjectAttributes).map(([name, type]) => ({
    ref: `subject.attributes.${name}`,
    type,
    resource: false,
  })),
];

function literalFor(type: AttrType, ref?: RefInfo): fc.Arbitrary<string | number | boolean> {
  if (ref?.names) return fc.constantFrom(...ref.names);
  switch (type) {
    case 'string':
    case 'string[]':
      return ref?.ref === 'resource.owner'
        ? fc.constantFrom(...UUID_LITERALS)
        : fc.constantFrom(...STRINGS, ...UUIDS);
    case 'number':
      return fc.constantFrom(...NUMBERS);
    case 'boolean':
      return fc.boolean();
    case 'timestamp':
      return fc.constantFrom(...TIMESTAMPS);
  }
}

const scalar = (t: AttrType) => t !== 'string[]';
const ordered = (t: AttrType) => t === 'number' || t === 'timestamp';

/** A condition that only uses refs valid for the rule (no resource refs when the rule has no resource). */
function conditionArb(withResource: boolean): fc.Arbitrary<Condition> {
  // Resource references twice over: conditions about the record are what plans keep.
  const refs = withResource ? [...resourceRefs, ...resourceRefs, ...subjectRefs] : subjectRefs;
  const pick = (pred: (r: RefInfo) => boolean) => fc.constantFrom(...refs.filter(pred));

  // Right-hand operand for a left ref: a literal of its type or a ref of the same type
  // (never a second resource ref for in/contains, which the language refuses).
  const operand = (left: RefInfo, type: AttrType, allowResourcePair: boolean) => {
    const sameType = [...new Set(refs)].filter(
      (r) => r.type === type && r.ref !== left.ref && (allowResourcePair || !(left.resource && r.resource)),
    );
    const lit = left.names
      ? fc.constantFrom(...left.names)
      : literalFor(type, type === left.type ? left : undefined);
    return sameType.length > 0
      ? fc.oneof(
          { weight: 3, arbitrary: lit },
          { weight: 2, arbitrary: fc.constantFrom(...sameType).map((r) => ({ ref: r.ref })) },
        )
      : lit;
  };

  const comparison = (
    ops: readonly ('eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte')[],
    pred: (r: RefInfo) => boolean,
  ) =>
    fc
      .tuple(fc.constantFrom(...ops), pick(pred))
      .chain(([op, left]) =>
        operand(left, left.type, true).map((right) => ({ [op]: [left.ref, right] }) as Condition),
      );

  const leaf: fc.Arbitrary<Condition> = fc.oneof(
    comparison(['eq', 'ne'], (r) => scalar(r.type)),
    comparison(['lt', 'lte', 'gt', 'gte'], (r) => ordered(r.type)),
    fc
      .tuple(
        fc.constantFrom('in' as const, 'not_in' as const),
        pick((r) => scalar(r.type)),
      )
      .chain(([op, left]) => {
        const literalList = fc.array(literalFor(left.type, left), { maxLength: 3 });
        const arrayRefs = refs.filter(
          (r) => r.type === 'string[]' && left.type === 'string' && !(left.resource && r.resource),
        );
        const right =
          arrayRefs.length > 0
            ? fc.oneof(
                literalList,
                fc.constantFrom(...arrayRefs).map((r) => ({ ref: r.ref })),
              )
            : literalList;
        return right.map((list) => ({ [op]: [left.ref, list] }) as Condition);
      }),
    pick((r) => r.type === 'string[]').chain((left) =>
      operand(left, 'string', false).map((right) => ({ contains: [left.ref, right] }) as Condition),
    ),
    pick(() => true).map((r) => ({ exists: r.ref }) as Condition),
  );

  const tree = fc.letrec<{ cond: Condition }>((tie) => ({
    cond: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: leaf },
      { weight: 1, arbitrary: tie('cond').map((c) => ({ not: c }) as Condition) },
      {
        weight: 1,
        arbitrary: fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((and) => ({ and }) as Condition),
      },
      {
        weight: 1,
        arbitrary: fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((or) => ({ or }) as Condition),
      },
    ),
  }));
  return tree.cond;
}

// Grants are often empty, so that decisions also hinge on rules.
const patterns: fc.Arbitrary<string[]> = fc.oneof(
  fc.constant<string[]>([]),
  fc.uniqueArray(fc.constantFrom(...PATTERNS), { maxLength: 2 }),
);

const ruleArb = fc
  .oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false))
  .chain((withResource) =>
    fc.record(
      {
        effect: fc.constantFrom('allow' as const, 'deny' as const),
        actions: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 }),
        resource: fc.constant(withResource ? 'item' : undefined),
        condition: conditionArb(withResource),
      },
      { requiredKeys: ['effect', 'actions', 'resource'] },
    ),
  );

export const policyArb: fc.Arbitrary<PolicyDocument> = fc
  .record({
    roles: fc.record({ owner: patterns, admin: patterns, member: patterns }),
    groups: fc.record({ verified: patterns, support: patterns }),
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 8 }),
  })
  .map(({ roles, groups, rules }) => ({
    version: 1 as const,
    subject_attributes: { ...subjectAttributes },
    resources: { item: { tenant_attribute: 'tenant_id', attributes: { ...itemAttributes } } },
    roles: Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, { permissions: v }])),
    groups: Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, { permissions: v }])),
    rules: rules.map(stripUndefined),
  }));

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Subject attribute values, sometimes missing and sometimes of the wrong type (tokens are not trusted to be tidy). */
const subjectAttributeValue = (type: AttrType) =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: type === 'string[]' ? fc.array(literalFor('string'), { maxLength: 3 }) : literalFor(type),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'x', 7, true, [], '2024-06-30') },
  );

export const subjectArb: fc.Arbitrary<Subject> = fc.record(
  {
    id: fc.constantFrom(...STRINGS.slice(0, 3), ...UUIDS),
    person_id: fc.constant('p1'),
    tenant_id: fc.oneof({ weight: 8, arbitrary: fc.constant('t1') }, fc.constant('t2'), fc.constant('')),
    roles: fc.subarray([...ROLES], { maxLength: 2 }),
    groups: fc.subarray([...GROUPS]),
    attributes: fc.record(
      Object.fromEntries(
        Object.entries(subjectAttributes).map(([k, t]) => [k, subjectAttributeValue(t)]),
      ) as Record<string, fc.Arbitrary<unknown>>,
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['id', 'tenant_id', 'roles', 'groups'] },
);

/** A row of the items table as PostgreSQL returns it: null for missing values. */
export interface ItemRow {
  tenant_id: string | null;
  s1: string | null;
  s2: string | null;
  owner: string | null;
  n1: number | null;
  n2: number | null;
  b1: boolean | null;
  t1: Date | null;
  t2: Date | null;
  tags: (string | null)[] | null;
}

const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
export const itemArb: fc.Arbitrary<ItemRow> = fc.record({
  tenant_id: fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | null>('t1') },
    fc.constant('t2'),
    fc.constant(null),
  ),
  s1: orNull(fc.constantFrom(...STRINGS, ...UUIDS)),
  s2: orNull(fc.constantFrom(...STRINGS)),
  owner: orNull(fc.constantFrom(...UUIDS)),
  n1: orNull(fc.constantFrom(...NUMBERS)),
  n2: orNull(fc.constantFrom(...NUMBERS)),
  b1: orNull(fc.boolean()),
  t1: orNull(fc.constantFrom(...TIMESTAMPS).map((t) => new Date(t))),
  t2: orNull(fc.constantFrom(...TIMESTAMPS).map((t) => new Date(t))),
  // Arrays may be empty and may hold NULL elements, which PostgreSQL allows.
  tags: orNull(
    fc.array(fc.option(fc.constantFrom(...STRINGS, ...UUIDS), { nil: null, freq: 6 }), { maxLength: 3 }),
  ),
});

export interface ConsistencyCase {
  policy: PolicyDocument;
  subject: Subject;
  action: string;
  items: ItemRow[];
}

export const caseArb: fc.Arbitrary<ConsistencyCase> = fc.record({
  policy: policyArb,
  subject: subjectArb,
  action: fc.oneof({ weight: 3, arbitrary: fc.constant('items.read') }, fc.constantFrom(...ACTIONS)),
  items: fc.array(itemArb, { minLength: 1, maxLength: 12 }),
});
