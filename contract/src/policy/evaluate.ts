import type { ListSource, Ref, ScalarOperand, TypedCondition } from './validate';
import {
  arrayContains,
  readerFor,
  readString,
  readStringArray,
  readTimestamp,
  type Value,
  valueEquals,
  valueIn,
  valueLess,
  valueLessOrEqual,
} from './values';

/** Who is asking: what an access token (or an API key's service account) says about them. */
export interface Subject {
  /** The account id (the person's membership in one tenant). */
  id: string;
  person_id?: string | null;
  /**
   * Who acts through this subject (RFC 8693 `act.sub`): the admin's account id while they impersonate
   * the subject, absent (null) otherwise. `exists: subject.actor` tells an impersonated request.
   */
  actor?: string | null;
  /**
   * What the subject is (#18): `account` (a person's membership) or `client` (an application acting with
   * its own token, `POST /oauth/token`). Absent or null reads as `account`, so subjects built before it
   * existed decide as they did.
   */
  kind?: SubjectKind | null;
  tenant_id: string;
  /**
   * Permission patterns the subject holds itself, beside its roles' and groups' (#18): an application's
   * scopes. A grant like a role's (reason `allowed_by_scope`); deny rules still apply. Absent or null: none.
   */
  scopes?: readonly string[] | null;
  roles: readonly string[];
  groups: readonly string[];
  attributes?: Readonly<Record<string, unknown>> | null;
}

export const subjectKinds = ['account', 'client'] as const;
export type SubjectKind = (typeof subjectKinds)[number];

/** `subject.kind` as policies read it: absent or null is `account`. */
export const subjectKindOf = (s: Subject): SubjectKind => s.kind ?? 'account';

/** A record: its type (a resource type of the policy) and its attributes. */
export interface Resource {
  type: string;
  attributes: Readonly<Record<string, unknown>>;
}

export type Attributes = Readonly<Record<string, unknown>>;
type Getter = (s: Subject, r: Attributes) => Value;
export type CompiledCondition = (s: Subject, r: Attributes) => boolean;

const emptyAttributes: Attributes = Object.freeze({});

/** Reads a reference from the subject or the record, normalised per values.ts. */
export function compileRef(ref: Ref): Getter {
  const read = readerFor[ref.type];
  switch (ref.kind) {
    case 'resource': {
      const name = ref.name;
      return (_s, r) => read(r[name]);
    }
    case 'subject_attribute': {
      const name = ref.name;
      return (s) => read((s.attributes ?? emptyAttributes)[name]);
    }
    case 'subject':
      switch (ref.field) {
        case 'id':
          return (s) => readString(s.id);
        case 'person_id':
          return (s) => readString(s.person_id);
        case 'actor':
          return (s) => readString(s.actor);
        case 'kind':
          return (s) => subjectKindOf(s);
        case 'tenant_id':
          return (s) => readString(s.tenant_id);
        case 'roles':
          return (s) => readStringArray(s.roles);
        case 'groups':
          return (s) => readStringArray(s.groups);
      }
  }
}

/** The value of a subject reference, read directly (plan() calls this; it builds no closure). */
export function readSubjectRef(ref: Exclude<Ref, { kind: 'resource' }>, s: Subject): Value {
  if (ref.kind === 'subject_attribute')
    return readerFor[ref.type]((s.attributes ?? emptyAttributes)[ref.name]);
  switch (ref.field) {
    case 'id':
      return readString(s.id);
    case 'person_id':
      return readString(s.person_id);
    case 'actor':
      return readString(s.actor);
    case 'kind':
      return subjectKindOf(s);
    case 'tenant_id':
      return readString(s.tenant_id);
    case 'roles':
      return readStringArray(s.roles);
    case 'groups':
      return readStringArray(s.groups);
  }
}

function compileOperand(op: ScalarOperand): Getter {
  if (op.kind === 'literal') {
    const v = op.value;
    return () => v;
  }
  return compileRef(op);
}

function compileList(src: ListSource): (s: Subject, r: Attributes) => readonly unknown[] | null {
  if (src.kind === 'list') {
    const values = src.values;
    return () => values;
  }
  const get = compileRef(src);
  return (s, r) => get(s, r) as readonly unknown[] | null;
}

/**
 * Turns a typed condition into a closure, once, at compile time. The closures call the
 * value functions of values.ts, the same ones the predicate adapter uses.
 */
export function compileCondition(cond: TypedCondition): CompiledCondition {
  switch (cond.op) {
    case 'true':
      return () => true;
    case 'and': {
      const parts = cond.args.map(compileCondition);
      if (parts.length === 2) {
        const [a, b] = parts as [CompiledCondition, CompiledCondition];
        return (s, r) => a(s, r) && b(s, r);
      }
      return (s, r) => {
        for (const p of parts) if (!p(s, r)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = cond.args.map(compileCondition);
      if (parts.length === 2) {
        const [a, b] = parts as [CompiledCondition, CompiledCondition];
        return (s, r) => a(s, r) || b(s, r);
      }
      return (s, r) => {
        for (const p of parts) if (p(s, r)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileCondition(cond.arg);
      return (s, r) => !inner(s, r);
    }
    case 'exists': {
      const get = compileRef(cond.ref);
      return (s, r) => get(s, r) !== null;
    }
    case 'contains': {
      if (cond.right.kind === 'literal') {
        const needle = cond.right.value;
        if (cond.left.kind === 'resource') {
          const name = cond.left.name;
          return (_s, r) => {
            const a = r[name];
            return Array.isArray(a) && a.includes(needle);
          };
        }
      }
      const arr = compileRef(cond.left);
      const needle = compileOperand(cond.right);
      return (s, r) => arrayContains(arr(s, r), needle(s, r));
    }
    case 'in': {
      const needle = compileRef(cond.left);
      if (cond.right.kind === 'list' && cond.left.kind === 'resource' && cond.left.type !== 'timestamp') {
        // Literal values are typed and finite, so === (indexOf) only matches a value of the right type.
        const values = cond.right.values;
        const name = cond.left.name;
        return (_s, r) => values.indexOf(r[name] as never) !== -1;
      }
      const list = compileList(cond.right);
      return (s, r) => valueIn(needle(s, r), list(s, r));
    }
    case 'eq': {
      const a = compileRef(cond.left);
      if (cond.right.kind === 'literal') {
        // A literal is never null, and only a value of its own type can be === to it.
        const v = cond.right.value;
        if (cond.left.type === 'timestamp') return (s, r) => a(s, r) === v;
        if (cond.left.kind === 'resource') {
          const name = cond.left.name;
          return (_s, r) => r[name] === v;
        }
        return (s, r) => a(s, r) === v;
      }
      if (
        cond.left.kind === 'resource' &&
        cond.right.kind === 'subject' &&
        cond.right.field !== 'kind' &&
        cond.left.type === 'string'
      ) {
        // resource.owner_id = subject.id, the most common rule of all
        const name = cond.left.name;
        const field = cond.right.field as 'id' | 'person_id' | 'actor' | 'tenant_id';
        return (s, r) => {
          const v = r[name];
          return typeof v === 'string' && v === s[field];
        };
      }
      const b = compileOperand(cond.right);
      return (s, r) => valueEquals(a(s, r), b(s, r));
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const fast = orderedLiteral(cond.op, cond.left, cond.right);
      if (fast) return fast;
      const a = compileRef(cond.left);
      const b = compileOperand(cond.right);
      switch (cond.op) {
        case 'lt':
          return (s, r) => valueLess(a(s, r), b(s, r));
        case 'lte':
          return (s, r) => valueLessOrEqual(a(s, r), b(s, r));
        case 'gt':
          return (s, r) => valueLess(b(s, r), a(s, r));
        case 'gte':
          return (s, r) => valueLessOrEqual(b(s, r), a(s, r));
      }
    }
  }
}

/**
 * `resource.x <op> literal` without the reader call. NaN fails every comparison, as null
 * does; ±Infinity read as null, so they are excluded where a comparison would pass.
 */
function orderedLiteral(
  op: 'lt' | 'lte' | 'gt' | 'gte',
  left: Ref,
  right: ScalarOperand,
): CompiledCondition | undefined {
  if (left.kind !== 'resource' || right.kind !== 'literal') return undefined;
  const name = left.name;
  const lit = right.value as number;
  if (left.type === 'number') {
    switch (op) {
      case 'lt':
        return (_s, r) => {
          const v = r[name];
          return typeof v === 'number' && v < lit && v !== -Infinity;
        };
      case 'lte':
        return (_s, r) => {
          const v = r[name];
          return typeof v === 'number' && v <= lit && v !== -Infinity;
        };
      case 'gt':
        return (_s, r) => {
          const v = r[name];
          return typeof v === 'number' && v > lit && v !== Infinity;
        };
      case 'gte':
        return (_s, r) => {
          const v = r[name];
          return typeof v === 'number' && v >= lit && v !== Infinity;
        };
    }
  }
  if (left.type === 'timestamp') {
    // readTimestamp: an invalid Date, or one outside the timestamp range, is null.
    const ms = readTimestamp;
    switch (op) {
      case 'lt':
        return (_s, r) => {
          const t = ms(r[name]);
          return t !== null && t < lit;
        };
      case 'lte':
        return (_s, r) => {
          const t = ms(r[name]);
          return t !== null && t <= lit;
        };
      case 'gt':
        return (_s, r) => {
          const t = ms(r[name]);
          return t !== null && t > lit;
        };
      case 'gte':
        return (_s, r) => {
          const t = ms(r[name]);
          return t !== null && t >= lit;
        };
    }
  }
  return undefined;
}
