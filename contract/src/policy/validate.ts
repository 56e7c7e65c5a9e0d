import { type PolicyIssue, PolicyValidationError } from './errors';
import { documentLimitIssues } from './limits';
import {
  type AttributeType,
  type Condition,
  type ListOperand,
  type Operand,
  type PolicyDocument,
  policyDocumentSchema,
  type SubjectAttributeDeclaration,
} from './schema';
import { parseLiteral, type Scalar } from './values';

/**
 * The type of a subject attribute declaration, in either form. Here, not beside the schema it reads: the
 * browser's `compileValidated` uses it, and importing any value from schema.ts would bring zod along.
 */
export const subjectAttributeType = (declaration: SubjectAttributeDeclaration): AttributeType =>
  typeof declaration === 'string' ? declaration : declaration.type;

/** Subject attributes Enforcer fills from the session (tenant-policy/subject-attributes.ts). */
const sessionAttributes = new Set(['mfa_at', 'mfa_age_seconds']);

/**
 * The typed model a valid document turns into. Every reference is resolved to its
 * type, every literal is parsed (timestamps to epoch ms), `ne` became `not eq` and
 * `not_in` became `not in`, so compile.ts and plan.ts have fewer cases and one meaning.
 */
export type SubjectField = 'id' | 'person_id' | 'actor' | 'kind' | 'tenant_id' | 'roles' | 'groups';

export type Ref =
  | { kind: 'subject'; field: SubjectField; type: AttributeType }
  | { kind: 'subject_attribute'; name: string; type: AttributeType }
  | { kind: 'resource'; name: string; type: AttributeType };

export type ScalarOperand = Ref | { kind: 'literal'; value: Scalar; type: AttributeType };
export type ListSource = Ref | { kind: 'list'; values: Scalar[]; type: AttributeType };

export type ComparisonOp = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

export type TypedCondition =
  | { op: 'true' }
  | { op: 'and' | 'or'; args: TypedCondition[] }
  | { op: 'not'; arg: TypedCondition }
  | { op: ComparisonOp; left: Ref; right: ScalarOperand }
  | { op: 'in'; left: Ref; right: ListSource }
  | { op: 'contains'; left: Ref; right: ScalarOperand }
  | { op: 'exists'; ref: Ref };

export interface TypedRule {
  id: string;
  index: number;
  effect: 'allow' | 'deny';
  actions: string[];
  resource: string | undefined;
  condition: TypedCondition;
}

export interface TypedResource {
  name: string;
  tenantAttribute: string;
  attributes: Record<string, AttributeType>;
}

export interface TypedPolicy {
  document: PolicyDocument;
  resources: Map<string, TypedResource>;
  roles: Map<string, string[]>;
  groups: Map<string, string[]>;
  rules: TypedRule[];
}

type Path = (string | number)[];

const subjectFields: Record<SubjectField, AttributeType> = {
  id: 'string',
  person_id: 'string',
  actor: 'string',
  kind: 'string',
  tenant_id: 'string',
  roles: 'string[]',
  groups: 'string[]',
};

const scalarTypes = new Set<AttributeType>(['string', 'number', 'boolean', 'timestamp']);
const orderedTypes = new Set<AttributeType>(['number', 'timestamp']);

/** Validates a document (shape and meaning) and returns its typed model, or throws PolicyValidationError. */
export function validatePolicy(input: unknown): TypedPolicy {
  // Depth, size and unstorable strings first, iteratively: zod itself recurses.
  const limitIssues = documentLimitIssues(input);
  if (limitIssues.length > 0) throw new PolicyValidationError(limitIssues);
  const parsed = policyDocumentSchema.safeParse(input);
  if (!parsed.success) {
    throw new PolicyValidationError(
      parsed.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: i.message,
      })),
    );
  }
  return typePolicy(parsed.data);
}

/**
 * The checks of meaning (unknown attributes, roles and groups, mismatched types) and the typed model, for a
 * document whose shape is known to be right: `validatePolicy`'s second half, and all of `compileValidated`
 * (a document a server already validated). A document of another shape throws.
 */
export function typePolicy(doc: PolicyDocument): TypedPolicy {
  const issues: PolicyIssue[] = [];
  const fail = (path: Path, message: string) => issues.push({ path, message });

  const resources = new Map<string, TypedResource>();
  for (const [name, def] of Object.entries(doc.resources)) {
    // Own properties only, here and below: `constructor` is a valid name, not Object's.
    const tenantType = own(def.attributes, def.tenant_attribute);
    if (tenantType === undefined) {
      fail(
        ['resources', name, 'tenant_attribute'],
        `"${def.tenant_attribute}" is not an attribute of "${name}"`,
      );
    } else if (tenantType !== 'string') {
      fail(
        ['resources', name, 'tenant_attribute'],
        `the tenant attribute must be a string, not ${tenantType}`,
      );
    }
    resources.set(name, { name, tenantAttribute: def.tenant_attribute, attributes: def.attributes });
  }

  const roles = new Map(Object.entries(doc.roles).map(([n, g]) => [n, g.permissions]));
  const groups = new Map(Object.entries(doc.groups ?? {}).map(([n, g]) => [n, g.permissions]));
  const subjectAttributes: Record<string, AttributeType> = {};
  for (const [name, declaration] of Object.entries(doc.subject_attributes ?? {})) {
    subjectAttributes[name] = subjectAttributeType(declaration);
    // Enforcer fills these from the session: a second source would make two answers possible.
    if (typeof declaration !== 'string' && declaration.from !== undefined && sessionAttributes.has(name)) {
      fail(['subject_attributes', name, 'from'], `"${name}" is filled from the session; it takes no source`);
    }
  }

  const rules: TypedRule[] = [];
  const seenIds = new Map<string, number>();
  (doc.rules ?? []).forEach((rule, index) => {
    const path: Path = ['rules', index];
    const id = rule.id ?? `rules[${index}]`;
    if (seenIds.has(id)) fail([...path, 'id'], `duplicate rule id "${id}" (also rules[${seenIds.get(id)}])`);
    seenIds.set(id, index);
    let resource: TypedResource | undefined;
    if (rule.resource !== undefined) {
      resource = resources.get(rule.resource);
      if (!resource) fail([...path, 'resource'], `unknown resource type "${rule.resource}"`);
    }
    const ctx: Ctx = {
      resource,
      ruleHasResource: rule.resource !== undefined,
      subjectAttributes,
      roles,
      groups,
      fail,
    };
    const condition = rule.condition
      ? typeCondition(rule.condition, [...path, 'condition'], ctx)
      : { op: 'true' as const };
    rules.push({ id, index, effect: rule.effect, actions: rule.actions, resource: rule.resource, condition });
  });

  if (issues.length > 0) throw new PolicyValidationError(issues);
  return { document: doc, resources, roles, groups, rules };
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

interface Ctx {
  resource: TypedResource | undefined;
  ruleHasResource: boolean;
  subjectAttributes: Record<string, AttributeType>;
  roles: Map<string, string[]>;
  groups: Map<string, string[]>;
  fail: (path: Path, message: string) => void;
}

function resolveRef(ref: string, path: Path, ctx: Ctx): Ref | undefined {
  const [head, ...rest] = ref.split('.');
  if (head === 'subject') {
    if (rest[0] === 'attributes') {
      const name = rest[1]!;
      const type = own(ctx.subjectAttributes, name);
      if (!type) {
        ctx.fail(path, `unknown subject attribute "${name}" (declare it in subject_attributes)`);
        return undefined;
      }
      return { kind: 'subject_attribute', name, type };
    }
    const field = rest[0] as SubjectField;
    return { kind: 'subject', field, type: subjectFields[field] };
  }
  const name = rest[0]!;
  if (!ctx.ruleHasResource) {
    ctx.fail(path, `"${ref}" needs the rule to name a resource type`);
    return undefined;
  }
  if (!ctx.resource) return undefined; // the unknown resource type is reported already
  const type = own(ctx.resource.attributes, name);
  if (!type) {
    ctx.fail(path, `unknown attribute "${name}" on resource type "${ctx.resource.name}"`);
    return undefined;
  }
  return { kind: 'resource', name, type };
}

/** A literal or `{ ref }` on the right of a comparison, checked against the left side's type. */
function resolveOperand(
  operand: Operand,
  expected: AttributeType,
  path: Path,
  ctx: Ctx,
): ScalarOperand | undefined {
  if (typeof operand === 'object') {
    const ref = resolveRef(operand.ref, [...path, 'ref'], ctx);
    if (ref && ref.type !== expected) {
      ctx.fail(path, `cannot compare ${expected} with ${ref.type} ("${operand.ref}")`);
      return undefined;
    }
    return ref;
  }
  const value = parseLiteral(expected, operand);
  if (value === null) {
    ctx.fail(path, literalMismatch(expected, operand));
    return undefined;
  }
  return { kind: 'literal', value, type: expected };
}

function literalMismatch(expected: AttributeType, literal: unknown): string {
  if (expected === 'timestamp') {
    return `expected a timestamp: an ISO 8601 string with a time zone and at most millisecond precision, got ${JSON.stringify(literal)}`;
  }
  return `cannot compare ${expected} with ${typeof literal} ${JSON.stringify(literal)}`;
}

/** Names in `contains(subject.roles, "x")` and friends must be declared roles or groups. */
function checkRoleOrGroupName(left: Ref, value: Scalar, path: Path, ctx: Ctx) {
  if (left.kind !== 'subject' || typeof value !== 'string') return;
  if (left.field === 'roles' && !ctx.roles.has(value)) ctx.fail(path, `unknown role "${value}"`);
  if (left.field === 'groups' && !ctx.groups.has(value)) ctx.fail(path, `unknown group "${value}"`);
}

function typeCondition(cond: Condition, path: Path, ctx: Ctx): TypedCondition {
  const placeholder: TypedCondition = { op: 'true' };
  if ('and' in cond)
    return { op: 'and', args: cond.and.map((c, i) => typeCondition(c, [...path, 'and', i], ctx)) };
  if ('or' in cond)
    return { op: 'or', args: cond.or.map((c, i) => typeCondition(c, [...path, 'or', i], ctx)) };
  if ('not' in cond) return { op: 'not', arg: typeCondition(cond.not, [...path, 'not'], ctx) };
  if ('exists' in cond) {
    const ref = resolveRef(cond.exists, [...path, 'exists'], ctx);
    return ref ? { op: 'exists', ref } : placeholder;
  }
  if ('contains' in cond) {
    const [leftRaw, rightRaw] = cond.contains;
    const p = [...path, 'contains'];
    const left = resolveRef(leftRaw, [...p, 0], ctx);
    if (!left) return placeholder;
    if (left.type !== 'string[]') {
      ctx.fail([...p, 0], `contains needs a string array on the left, "${leftRaw}" is ${left.type}`);
      return placeholder;
    }
    const right = resolveOperand(rightRaw, 'string', [...p, 1], ctx);
    if (!right) return placeholder;
    if (left.kind === 'resource' && right.kind === 'resource') {
      ctx.fail(p, 'contains between two attributes of the same record is not supported');
      return placeholder;
    }
    if (right.kind === 'literal') checkRoleOrGroupName(left, right.value, [...p, 1], ctx);
    return { op: 'contains', left, right };
  }
  if ('in' in cond || 'not_in' in cond) {
    const negated = 'not_in' in cond;
    const key = negated ? 'not_in' : 'in';
    const [leftRaw, rightRaw] = (negated ? cond.not_in : cond.in) as [string, ListOperand];
    const p = [...path, key];
    const left = resolveRef(leftRaw, [...p, 0], ctx);
    if (!left) return placeholder;
    if (!scalarTypes.has(left.type)) {
      ctx.fail(
        [...p, 0],
        `${key} needs a single value on the left, "${leftRaw}" is ${left.type} (use contains)`,
      );
      return placeholder;
    }
    let right: ListSource | undefined;
    if (Array.isArray(rightRaw)) {
      const values: Scalar[] = [];
      rightRaw.forEach((item, i) => {
        const v = parseLiteral(left.type, item);
        if (v === null) ctx.fail([...p, 1, i], literalMismatch(left.type, item));
        else values.push(v);
      });
      right = { kind: 'list', values, type: left.type };
    } else {
      const ref = resolveRef(rightRaw.ref, [...p, 1, 'ref'], ctx);
      if (!ref) return placeholder;
      if (ref.type !== 'string[]' || left.type !== 'string') {
        ctx.fail(
          [...p, 1],
          `${key} with a reference needs a string on the left and a string array on the right`,
        );
        return placeholder;
      }
      if (left.kind === 'resource' && ref.kind === 'resource') {
        ctx.fail(p, `${key} between two attributes of the same record is not supported`);
        return placeholder;
      }
      right = ref;
    }
    const typed: TypedCondition = { op: 'in', left, right };
    return negated ? { op: 'not', arg: typed } : typed;
  }
  // eq, ne, lt, lte, gt, gte
  const [key, pair] = Object.entries(cond)[0] as ['eq' | 'ne' | ComparisonOp, [string, Operand]];
  const p = [...path, key];
  const left = resolveRef(pair[0], [...p, 0], ctx);
  if (!left) return placeholder;
  if (key === 'eq' || key === 'ne') {
    if (!scalarTypes.has(left.type)) {
      ctx.fail([...p, 0], `${key} needs a single value, "${pair[0]}" is ${left.type} (use contains)`);
      return placeholder;
    }
  } else if (!orderedTypes.has(left.type)) {
    ctx.fail([...p, 0], `${key} compares numbers or timestamps, "${pair[0]}" is ${left.type}`);
    return placeholder;
  }
  const right = resolveOperand(pair[1], left.type, [...p, 1], ctx);
  if (!right) return placeholder;
  if (key === 'ne') return { op: 'not', arg: { op: 'eq', left, right } };
  return { op: key, left, right };
}
