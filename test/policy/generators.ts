import { metadataSubjectAttributes } from '@enforcer/contract';
import type { Condition, PolicyDocument, Subject } from '@enforcer/contract/policy';
import fc from 'fast-check';

/**
 * Generators for the consistency suite: policy documents, subjects, actions and records
 * over two resource types that map onto real PostgreSQL tables:
 *
 * - `item` (table `items`): its tenant in `tenant_id`, columns named like the attributes,
 *   one of them a uuid column;
 * - `doc` (table `docs d`): its tenant in `org`, every attribute in a column of another
 *   name (`d.org_id`, ...), and an attribute called `constructor` (column `ctor`).
 *
 * Value pools are small on purpose, so that generated literals, subject values and record
 * values collide often (a comparison that is never true tests nothing), and hostile: the
 * strings, numbers and timestamps below are the ones where JavaScript, PostgreSQL and
 * MikroORM have been seen to disagree (issue #12). A few draws are inputs the engine must
 * refuse (a document with a string PostgreSQL cannot store, an invalid calendar date, a
 * condition nested too deep, a subject whose tenant is a number, ...): for those the
 * property is that every path refuses the same way.
 */

export const TENANTS = ['t1', 't2'] as const;
export const UUIDS = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '9f3c2a10-5b7e-4c1d-a0e2-7d6b5c4a3f21',
] as const;
// Spellings PostgreSQL would accept for a uuid column but never returns, and a non-uuid.
const UUID_LITERALS = [...UUIDS, '9F3C2A10-5B7E-4C1D-A0E2-7D6B5C4A3F21', 'not-a-uuid'];

/** Strings PostgreSQL stores exactly: the ones that records can hold. */
export const STRINGS = [
  'a',
  'b',
  'B',
  '',
  ' ',
  '  ',
  '\t',
  '\n',
  ' a',
  'a ',
  'a b',
  'NULL',
  'null',
  'true',
  '"',
  '""',
  "o'brien",
  '\\',
  '\\"',
  'a,b',
  '{',
  '}',
  '{a,b}',
  '{}',
  '()',
  'é',
  'e\u0301',
  '😀',
  '\ufffd',
  'x'.repeat(1024),
];
/** Strings PostgreSQL cannot store as given: NUL and lone surrogates. */
export const UNSTORABLE = ['\u0000', 'a\u0000', '\ud800', 'x\udc00', '\ud83d'];

const NUMBERS = [
  -1.5,
  -1,
  -0,
  0,
  0.1,
  0.5,
  1,
  2,
  1e9,
  2 ** 53,
  -(2 ** 53),
  2 ** 53 + 2,
  1e308,
  -1e308,
  5e-324,
];

/** Instants inside 0001-01-01..9999-12-31 UTC, written as a document or a subject may write them. */
const TIMESTAMPS = [
  '2020-01-01T00:00:00.000Z',
  '2024-06-30T12:00:00.000Z',
  '2024-06-30T12:00:00.001Z',
  '2024-06-30T14:00:00.001+02:00',
  '2024-06-30T11:59:59.999-00:01',
  '2024-02-29T23:59:59.999Z',
  '2030-01-01T00:00:00Z',
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
];
/** Timestamps a document must not hold: outside the range, or not a real calendar date or time. */
export const BAD_TIMESTAMPS = [
  '0000-12-31T23:59:59.999Z',
  '0001-01-01T00:30:00+01:00',
  '9999-12-31T23:30:00-01:00',
  '2026-02-30T00:00:00Z',
  '2025-02-29T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T12:60:00Z',
  '2026-01-01T12:00:00+24:00',
];

const ROLES = ['owner', 'admin', 'member', 'constructor'] as const;
const GROUPS = ['verified', 'support'] as const;
export const ACTIONS = ['items.read', 'items.update', 'items.notes.read', 'other.read'] as const;
const PATTERNS = ['items.read', 'items.update', 'items.*', '*', 'other.read', 'items.notes.read'];

type AttrType = 'string' | 'number' | 'boolean' | 'timestamp' | 'string[]';

/** The resource types of the suite. */
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
} as const satisfies Record<string, AttrType>;

export const docAttributes = {
  org: 'string',
  constructor: 'string',
  title: 'string',
  score: 'number',
  at: 'timestamp',
  labels: 'string[]',
} as const satisfies Record<string, AttrType>;

export const RESOURCE_TYPES = ['item', 'doc'] as const;
export type ResourceTypeName = (typeof RESOURCE_TYPES)[number];
const attributesOf: Record<ResourceTypeName, Record<string, AttrType>> = {
  item: itemAttributes,
  doc: docAttributes,
};

const subjectAttributes = {
  level: 'number',
  nick: 'string',
  since: 'timestamp',
  labels: 'string[]',
  flag: 'boolean',
  constructor: 'string',
} as const satisfies Record<string, AttrType>;

interface RefInfo {
  ref: string;
  type: AttrType;
  resource: boolean;
  /** for contains/in literals on subject.roles / subject.groups: only declared names */
  names?: readonly string[];
}

const resourceRefs = (type: ResourceTypeName): RefInfo[] =>
  Object.entries(attributesOf[type]).map(([name, t]) => ({
    ref: `resource.${name}`,
    type: t,
    resource: true,
  }));
const subjectRefs: RefInfo[] = [
  { ref: 'subject.id', type: 'string', resource: false },
  { ref: 'subject.tenant_id', type: 'string', resource: false },
  // The impersonating admin's account id (`act.sub`), null for a subject that acts for itself.
  { ref: 'subject.actor', type: 'string', resource: false },
  // What the subject is (#18): "account" (also when absent or null) or "client" (an application).
  { ref: 'subject.kind', type: 'string', resource: false, names: ['account', 'client'] },
  { ref: 'subject.roles', type: 'string[]', resource: false, names: ROLES },
  { ref: 'subject.groups', type: 'string[]', resource: false, names: GROUPS },
  ...Object.entries(subjectAttributes).map(([name, type]) => ({
    ref: `subject.attributes.${name}`,
    type,
    resource: false,
  })),
];

/** Mostly values records can hold; now and then one a document must not hold (refused). */
const literalString = fc.oneof(
  { weight: 150, arbitrary: fc.constantFrom(...STRINGS, ...UUIDS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNSTORABLE) },
);
const literalTimestamp = fc.oneof(
  { weight: 100, arbitrary: fc.constantFrom(...TIMESTAMPS) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_TIMESTAMPS) },
);

function literalFor(type: AttrType, ref?: RefInfo): fc.Arbitrary<string | number | boolean> {
  if (ref?.names) return fc.constantFrom(...ref.names);
  switch (type) {
    case 'string':
    case 'string[]':
      return ref?.ref === 'resource.owner' ? fc.constantFrom(...UUID_LITERALS) : literalString;
    case 'number':
      return fc.constantFrom(...NUMBERS);
    case 'boolean':
      return fc.boolean();
    case 'timestamp':
      return literalTimestamp;
  }
}

const scalar = (t: AttrType) => t !== 'string[]';
const ordered = (t: AttrType) => t === 'number' || t === 'timestamp';

/** A condition that only uses refs valid for the rule (no resource refs when the rule has no resource). */
function conditionArb(resource: ResourceTypeName | undefined): fc.Arbitrary<Condition> {
  // Resource references twice over: conditions about the record are what plans keep.
  const own = resource ? resourceRefs(resource) : [];
  const refs = [...own, ...own, ...subjectRefs];
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
    { weight: 120, arbitrary: comparison(['eq', 'ne'], (r) => scalar(r.type)) },
    { weight: 80, arbitrary: comparison(['lt', 'lte', 'gt', 'gte'], (r) => ordered(r.type)) },
    {
      weight: 80,
      arbitrary: fc
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
    },
    {
      weight: 80,
      arbitrary: pick((r) => r.type === 'string[]').chain((left) =>
        operand(left, 'string', false).map((right) => ({ contains: [left.ref, right] }) as Condition),
      ),
    },
    { weight: 40, arbitrary: pick(() => true).map((r) => ({ exists: r.ref }) as Condition) },
    // Names that exist on Object.prototype but not in the document: refused, with the path.
    {
      weight: 1,
      arbitrary: fc.constantFrom<Condition>(
        { exists: resource === 'item' ? 'resource.constructor' : 'subject.attributes.tostring' },
        { eq: [resource === 'doc' ? 'resource.hasownproperty' : 'subject.attributes.valueof', 'a'] },
      ),
    },
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
  return fc.oneof(
    { weight: 200, arbitrary: tree.cond },
    // Deep: `not` around a condition, just below and just above the documented limit (32).
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 28, max: 34 }), tree.cond)
        .map(([n, c]) => Array.from({ length: n }).reduce<Condition>((acc) => ({ not: acc }), c)),
    },
    // Wide: up to 100 (the most an and/or may hold) leaves at one level.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.boolean(), fc.array(leaf, { minLength: 40, maxLength: 100 }))
        .map(([isAnd, args]) => (isAnd ? { and: args } : { or: args })),
    },
  );
}

// Grants are often empty, so that decisions also hinge on rules.
const patterns: fc.Arbitrary<string[]> = fc.oneof(
  fc.constant<string[]>([]),
  fc.uniqueArray(fc.constantFrom(...PATTERNS), { maxLength: 2 }),
);

/** Rules about `focus` (the type the case asks about) more often than about the other type. */
const ruleArb = (focus: string) =>
  fc
    .oneof(
      { weight: focus === 'item' ? 6 : 1, arbitrary: fc.constant<ResourceTypeName | undefined>('item') },
      { weight: focus === 'doc' ? 6 : 1, arbitrary: fc.constant<ResourceTypeName | undefined>('doc') },
      fc.constant<ResourceTypeName | undefined>(undefined),
    )
    .chain((resource) =>
      fc.record(
        {
          effect: fc.constantFrom('allow' as const, 'deny' as const),
          actions: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 }),
          resource: fc.constant(resource),
          condition: conditionArb(resource),
        },
        { requiredKeys: ['effect', 'actions', 'resource'] },
      ),
    );

/** Public metadata keys a declaration may name: the attribute's own, another's, Object's (`constructor`). */
const METADATA_KEYS = ['level', 'nick', 'since', 'labels', 'flag', 'constructor', 'kyc', 'x_1'] as const;

/**
 * How a subject attribute is declared (#14): the plain type, `{ type }`, or `{ type, from }` with a public
 * metadata key, which may be another attribute's key, one no metadata holds, or `constructor`.
 */
const subjectAttributeDeclarations = fc.record(
  Object.fromEntries(
    Object.entries(subjectAttributes).map(([name, type]) => [
      name,
      fc.oneof({ weight: 3, arbitrary: fc.constant(type) }, fc.constant({ type }), {
        weight: 3,
        arbitrary: fc
          .constantFrom(name, ...METADATA_KEYS)
          .map((key) => ({ type, from: `public_metadata.${key}` })),
      }),
    ]),
  ) as Record<
    keyof typeof subjectAttributes,
    fc.Arbitrary<NonNullable<PolicyDocument['subject_attributes']>[string]>
  >,
);

export const policyArb = (focus = 'item'): fc.Arbitrary<PolicyDocument> =>
  fc
    .record({
      roles: fc.record({ owner: patterns, admin: patterns, member: patterns, constructor: patterns }),
      groups: fc.record({ verified: patterns, support: patterns }),
      rules: fc.array(ruleArb(focus), { minLength: 1, maxLength: 8 }),
      subjectAttributes: subjectAttributeDeclarations,
    })
    .map(({ roles, groups, rules, subjectAttributes: declared }) => ({
      version: 1 as const,
      subject_attributes: { ...declared },
      resources: {
        item: { tenant_attribute: 'tenant_id', attributes: { ...itemAttributes } },
        doc: { tenant_attribute: 'org', attributes: { ...docAttributes } },
      },
      roles: Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, { permissions: v }])),
      groups: Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, { permissions: v }])),
      rules: rules.map(stripUndefined),
    }));

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Subject timestamps: strings and Dates, inside the range, outside it, and invalid (these read as null). */
const subjectTimestamp = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TIMESTAMPS) },
  { weight: 2, arbitrary: fc.constantFrom(...TIMESTAMPS).map((t) => new Date(t)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      ...BAD_TIMESTAMPS,
      new Date(-62135596800001),
      new Date(253402300800000),
      new Date(8.64e15),
      new Date(Number.NaN),
      '+010000-01-01T00:00:00Z',
      '2024-06-30',
    ),
  },
);

/** Subject attribute values, sometimes missing and sometimes of the wrong type (tokens are not trusted to be tidy). */
const subjectAttributeValue = (type: AttrType): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary:
        type === 'string[]'
          ? fc.array(fc.oneof(literalFor('string'), fc.constantFrom(...UNSTORABLE)), { maxLength: 3 })
          : type === 'timestamp'
            ? subjectTimestamp
            : type === 'string'
              ? fc.oneof({ weight: 8, arbitrary: literalFor('string') }, fc.constantFrom(...UNSTORABLE))
              : literalFor(type),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(null, 'x', 7, true, [], '2024-06-30', Number.NaN, Infinity),
    },
  );

/** A well-formed subject: its strings may still be ones PostgreSQL cannot store, its tenant may be empty. */
const validSubjectArb: fc.Arbitrary<Subject> = fc.record(
  {
    id: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(...STRINGS.slice(0, 12), ...UUIDS) },
      fc.constantFrom(...UNSTORABLE, '\ufffd'),
    ),
    person_id: fc.constantFrom<string | null>('p1', null),
    // Mostly nobody acts through the subject (absent or null); else an account id, a hostile string
    // a rule's literal or a record may also hold, or one PostgreSQL cannot store.
    actor: fc.oneof(
      { weight: 6, arbitrary: fc.constant(null) },
      { weight: 6, arbitrary: fc.constantFrom(...UUIDS, ...STRINGS.slice(0, 12)) },
      fc.constantFrom(...UNSTORABLE),
    ),
    // An account (absent, null or "account": all read as "account") or an application's token.
    kind: fc.constantFrom<Subject['kind']>('account', 'client', null),
    // An application's own scopes (#18): patterns like a role's; now and then elements that never match.
    scopes: fc.oneof(
      { weight: 4, arbitrary: fc.constant(null) },
      { weight: 4, arbitrary: fc.uniqueArray(fc.constantFrom(...PATTERNS), { maxLength: 2 }) },
      fc.subarray<unknown>(['items.read', 7, null, '', 'toString']) as fc.Arbitrary<string[]>,
    ),
    tenant_id: fc.oneof(
      { weight: 16, arbitrary: fc.constant('t1') },
      { weight: 2, arbitrary: fc.constant('t2') },
      fc.constant(''),
      fc.constantFrom('t1\u0000', '\ud800t1', ' t1', 'T1'),
    ),
    roles: fc.oneof(
      { weight: 8, arbitrary: fc.subarray([...ROLES], { maxLength: 2 }) },
      fc.subarray<unknown>([
        'member',
        'toString',
        '__proto__',
        'hasOwnProperty',
        '',
        7,
        null,
      ]) as fc.Arbitrary<string[]>,
    ),
    groups: fc.subarray([...GROUPS, 'constructor', 'valueOf']),
    attributes: fc.oneof(
      {
        weight: 10,
        arbitrary: fc.record(
          Object.fromEntries(
            Object.entries(subjectAttributes).map(([k, t]) => [k, subjectAttributeValue(t)]),
          ) as Record<string, fc.Arbitrary<unknown>>,
          { requiredKeys: [] },
        ),
      },
      fc.constant(null),
    ),
  },
  { requiredKeys: ['id', 'tenant_id', 'roles', 'groups'] },
);

/** Subjects that are not what the types say: every path must refuse them with the same PolicyInputError. */
const invalidSubjectArb: fc.Arbitrary<Subject> = fc
  .tuple(
    validSubjectArb,
    fc.constantFrom<[string, unknown]>(
      ['tenant_id', 1],
      ['tenant_id', null],
      ['tenant_id', undefined],
      ['id', 7],
      ['id', undefined],
      ['roles', undefined],
      ['roles', 'admin'],
      ['roles', { 0: 'member' }],
      ['groups', undefined],
      ['groups', 'verified'],
      ['person_id', 5],
      ['actor', 5],
      ['actor', { sub: 'x' }],
      ['actor', ['x']],
      ['kind', 'robot'],
      ['kind', 'Client'],
      ['kind', 1],
      ['scopes', 'items.read'],
      ['scopes', { 0: 'items.read' }],
      ['attributes', 'x'],
      ['attributes', 7],
    ),
  )
  .map(([s, [key, value]]) => {
    const out: Record<string, unknown> = { ...s };
    if (value === undefined) delete out[key];
    else out[key] = value;
    return out as unknown as Subject;
  });

export const subjectArb: fc.Arbitrary<Subject> = fc.oneof(
  { weight: 30, arbitrary: validSubjectArb },
  { weight: 1, arbitrary: invalidSubjectArb },
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

/** A row of the docs table (columns named unlike the attributes). */
export interface DocRow {
  org_id: string | null;
  ctor: string | null;
  title: string | null;
  score: number | null;
  at: Date | null;
  labels: (string | null)[] | null;
}

const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
const recordString = fc.constantFrom(...STRINGS, ...UUIDS);
// Records may hold instants PostgreSQL stores but the policy range excludes (they read as null).
const recordTimestamp = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...TIMESTAMPS).map((t) => new Date(t)) },
  fc.constantFrom(
    new Date(-62135596800001), // 0000-12-31T23:59:59.999Z, 1 BC
    new Date(253402300800000), // 10000-01-01
    new Date(8.64e15), // the last Date, 275760-09-13
    new Date(Date.UTC(-4000, 0, 1)),
  ),
);
const recordTenant = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | null>('t1') },
  fc.constantFrom<string | null>('t2', null, '', ' t1', '\ufffdt1'),
);
// Arrays may be empty and may hold NULL elements, which PostgreSQL allows.
const recordStrings = orNull(fc.array(fc.option(recordString, { nil: null, freq: 6 }), { maxLength: 3 }));

export const itemArb: fc.Arbitrary<ItemRow> = fc.record({
  tenant_id: recordTenant,
  s1: orNull(recordString),
  s2: orNull(fc.constantFrom(...STRINGS)),
  owner: orNull(fc.constantFrom(...UUIDS)),
  n1: orNull(fc.constantFrom(...NUMBERS)),
  n2: orNull(fc.constantFrom(...NUMBERS)),
  b1: orNull(fc.boolean()),
  t1: orNull(recordTimestamp),
  t2: orNull(recordTimestamp),
  tags: recordStrings,
});

export const docArb: fc.Arbitrary<DocRow> = fc.record({
  org_id: recordTenant,
  ctor: orNull(recordString),
  title: orNull(recordString),
  score: orNull(fc.constantFrom(...NUMBERS)),
  at: orNull(recordTimestamp),
  labels: recordStrings,
});

/**
 * An account's public metadata as JSON gives it: each key's value of any JSON type (the declared one or
 * not), long strings and lists, and keys JSON can hold but objects treat specially (`__proto__`,
 * `constructor`), made own properties by JSON.parse as a request body's are.
 */
const publicMetadataArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    Object.fromEntries(
      [...METADATA_KEYS, '__proto__'].map((key) => [
        key,
        fc.oneof(
          subjectAttributeValue('number'),
          subjectAttributeValue('string'),
          subjectAttributeValue('timestamp'),
          subjectAttributeValue('string[]'),
          subjectAttributeValue('boolean'),
          fc.constantFrom<unknown>('x'.repeat(1025), Array(101).fill('a'), { level: 2 }, [[1]], 2.5, -0),
        ),
      ]),
    ),
    { requiredKeys: [] },
  )
  .map((metadata) => JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>);

export interface ConsistencyCase {
  policy: PolicyDocument;
  subject: Subject;
  action: string;
  /** The type plan() and can() are asked about: one of the document's, or one it does not declare. */
  resourceType: string;
  items: ItemRow[];
  docs: DocRow[];
}

export const caseArb: fc.Arbitrary<ConsistencyCase> = fc
  .oneof(
    { weight: 10, arbitrary: fc.constantFrom('item', 'doc') },
    fc.constantFrom('', 'nope', 'constructor', '__proto__', 'toString', 'Item'),
  )
  .chain((resourceType) =>
    // Undeclared types are asked about over either table (the doc table has no tenant_id column).
    fc.tuple(fc.constant(resourceType), resourceType === 'item' ? fc.constant(false) : fc.boolean()),
  )
  .chain(([resourceType, overDocs]) =>
    fc.record({
      policy: policyArb(resourceType),
      subject: subjectArb,
      // Half the subjects get their attributes as the server fills them from an account's public metadata.
      publicMetadata: fc.option(publicMetadataArb, { nil: undefined }),
      action: fc.oneof({ weight: 3, arbitrary: fc.constant('items.read') }, fc.constantFrom(...ACTIONS)),
      resourceType: fc.constant(resourceType),
      items:
        overDocs || resourceType === 'doc'
          ? fc.constant<ItemRow[]>([])
          : fc.array(itemArb, { minLength: 1, maxLength: 12 }),
      docs:
        overDocs || resourceType === 'doc'
          ? fc.array(docArb, { minLength: 1, maxLength: 12 })
          : fc.constant<DocRow[]>([]),
    }),
  )
  .map(({ publicMetadata, ...c }) =>
    publicMetadata === undefined || c.subject.attributes === undefined
      ? c
      : { ...c, subject: { ...c.subject, attributes: metadataSubjectAttributes(c.policy, publicMetadata) } },
  );
