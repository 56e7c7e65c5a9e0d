import { grantingScope } from './actions';
import type { Attributes, Subject } from './evaluate';
import type { ListSource, Ref, ScalarOperand, TypedCondition } from './validate';
import {
  arrayContains,
  readBoolean,
  readNumber,
  readString,
  readStringArray,
  readTimestamp,
  valueEquals,
  valueIn,
  valueLess,
  valueLessOrEqual,
} from './values';

/**
 * Code generation for can(): the rules that decide one action on one resource type become
 * a single JavaScript function, and the document's resource types and action names become
 * index functions that find it (nameIndex). A comparison is either a specialised form that
 * means exactly what its value function means for the types involved (a bare === or < on the
 * raw value: the same forms evaluate.ts's closures use), or a call to the very value function
 * of values.ts (passed in as a parameter, never re-implemented). Both run from call sites that
 * see one function and one kind of value each, so the JIT inlines and specialises them; a
 * tree of closures cannot be inlined that way.
 *
 * Safety: the generated source holds only fixed tokens, parameter names, indexes into a
 * constants array and names. Every literal value from the document (strings, numbers, lists)
 * travels in that array; `true` and `false` are tokens; names (attributes, resource types,
 * actions, roles and groups) are written with JSON.stringify, which always makes a string
 * literal. So a document cannot inject code, even one compileValidated took unchecked.
 *
 * Where code generation is not allowed (a browser page whose Content-Security-Policy has
 * no 'unsafe-eval'), `generateDecision` returns undefined and can() uses the closures.
 * The consistency suite checks both paths against each other and against the database.
 */

export type Decision = (s: Subject, r: Attributes) => boolean;

const readerName = { string: 'rs', number: 'rn', boolean: 'rb', timestamp: 'rt', 'string[]': 'ra' } as const;
const helpers = {
  rs: readString,
  rn: readNumber,
  rb: readBoolean,
  rt: readTimestamp,
  ra: readStringArray,
  eq: valueEquals,
  lt: valueLess,
  le: valueLessOrEqual,
  vin: valueIn,
  ac: arrayContains,
  ia: Array.isArray,
  sc: (scopes: readonly unknown[], action: string) => grantingScope(scopes, action) !== undefined,
  E: Object.freeze({}),
};
const helperNames = Object.keys(helpers);
const helperValues = Object.values(helpers);

let available: boolean | undefined;
function codegenAvailable(): boolean {
  if (available === undefined) {
    try {
      available = new Function('return true')() === true;
    } catch {
      available = false;
    }
  }
  return available;
}

class Emitter {
  readonly constants: unknown[] = [];

  constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  /** A reference's value as the caller gave it, before its reader normalises it (values.ts). */
  raw(ref: Ref): string {
    switch (ref.kind) {
      case 'resource':
        return `r[${JSON.stringify(ref.name)}]`;
      case 'subject_attribute':
        return `(s.attributes ?? E)[${JSON.stringify(ref.name)}]`;
      case 'subject':
        // subject.kind: absent or null reads as "account" (evaluate.ts, subjectKindOf); checkSubject
        // admitted only "account", "client", null or absent.
        return ref.field === 'kind' ? '(s.kind ?? "account")' : `s.${ref.field}`;
    }
  }

  /** A reference's value, read the way values.ts reads it (null when absent or of another type). */
  ref(ref: Ref): string {
    return `${readerName[ref.type]}(${this.raw(ref)})`;
  }

  /** A statement: `return true` when an element of the array `list` is one of `names`. */
  anyOf(list: string, names: readonly string[]): string {
    if (names.length === 0) return '';
    const test =
      names.length <= maxInlineNames
        ? names.map((n) => `x === ${JSON.stringify(n)}`).join(' || ')
        : `${this.constant(new Set(names))}.has(x)`;
    return `for (let i = 0, L = ${list}; i < L.length; i++) { const x = L[i]; if (${test}) return true; } `;
  }

  operand(op: ScalarOperand | ListSource): string {
    if (op.kind === 'literal') return this.constant(op.value);
    if (op.kind === 'list') return this.constant(op.values);
    return this.ref(op);
  }

  condition(c: TypedCondition): string {
    switch (c.op) {
      case 'true':
        return 'true';
      case 'and':
        return `(${c.args.map((a) => this.condition(a)).join(' && ')})`;
      case 'or':
        return `(${c.args.map((a) => this.condition(a)).join(' || ')})`;
      case 'not':
        return `!${this.condition(c.arg)}`;
      case 'exists':
        return `(${this.ref(c.ref)} !== null)`;
      case 'contains':
        return this.contains(c.left, c.right);
      case 'in':
        return this.in(c.left, c.right);
      case 'eq':
        return this.eq(c.left, c.right);
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        return this.ordered(c.op, c.left, c.right);
    }
  }

  // The comparisons below have a specialised form where the types make it mean exactly what the
  // value function means (the same forms as evaluate.ts's closures): a bare === or < on the raw
  // value, whose compare the JIT then specialises for this call site alone (the value functions
  // are shared by every decision, so their compares see every type and stay generic). `v` is
  // the decision's scratch variable: each form reads it only right after setting it, and no
  // other form runs in between. Everything else calls the value functions.

  private eq(left: Ref, right: ScalarOperand): string {
    // A literal is never null and has the left side's type (validate.ts): only a raw value of
    // that type (a finite one, for a number) can be === to it. Timestamps need their reader.
    if (right.kind === 'literal' && left.type !== 'timestamp') {
      // true and false are written as themselves: the JIT then compares with a known constant.
      const value = typeof right.value === 'boolean' ? String(right.value) : this.constant(right.value);
      return `(${this.raw(left)} === ${value})`;
    }
    // resource.owner_id = subject.id and its kind: a string left side === the right side's raw
    // value is a string too.
    if (right.kind !== 'literal' && left.type === 'string') {
      return `(typeof (v = ${this.raw(left)}) === "string" && v === ${this.raw(right)})`;
    }
    return `eq(${this.ref(left)}, ${this.operand(right)})`;
  }

  private ordered(op: 'lt' | 'lte' | 'gt' | 'gte', left: Ref, right: ScalarOperand): string {
    if (right.kind === 'literal') {
      const lit = this.constant(right.value);
      const sign = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[op];
      if (left.type === 'number') {
        // readNumber makes NaN and ±Infinity null: NaN fails every compare with a finite
        // literal by itself, and the infinity on the passing side is excluded.
        const infinity = op === 'lt' || op === 'lte' ? '-Infinity' : 'Infinity';
        return `(typeof (v = ${this.raw(left)}) === "number" && v ${sign} ${lit} && v !== ${infinity})`;
      }
      if (left.type === 'timestamp') return `((v = ${this.ref(left)}) !== null && v ${sign} ${lit})`;
    }
    switch (op) {
      case 'lt':
        return `lt(${this.ref(left)}, ${this.operand(right)})`;
      case 'lte':
        return `le(${this.ref(left)}, ${this.operand(right)})`;
      case 'gt':
        return `lt(${this.operand(right)}, ${this.ref(left)})`;
      case 'gte':
        return `le(${this.operand(right)}, ${this.ref(left)})`;
    }
  }

  private in(left: Ref, right: ListSource): string {
    // Literal values are typed and finite, so === only matches a raw value of the right type,
    // as valueIn's === on the read value does. An empty list holds nothing.
    if (right.kind === 'list' && left.type !== 'timestamp') {
      if (right.values.length === 0) return 'false';
      if (right.values.length <= maxInlineNames) {
        const tests = right.values.map((value) => `v === ${this.constant(value)}`).join(' || ');
        return `((v = ${this.raw(left)}), ${tests})`;
      }
      return `(${this.constant(right.values)}.indexOf(${this.raw(left)}) !== -1)`;
    }
    return `vin(${this.ref(left)}, ${this.operand(right)})`;
  }

  private contains(left: Ref, right: ScalarOperand): string {
    // A literal needle is a string (validate.ts); arrayContains asks the same of any needle.
    if (right.kind === 'literal') {
      return `(ia(v = ${this.raw(left)}) && v.includes(${this.constant(right.value)}))`;
    }
    return `ac(${this.ref(left)}, ${this.operand(right)})`;
  }
}

/** Who holds the action through a grant, for one (resource type, action): compile.ts works it out once. */
export interface Grants {
  /** The roles, then the groups, one of whose permissions matches the action. */
  roles: readonly string[];
  groups: readonly string[];
  /** The action itself, matched per decision against the subject's own scopes (#18). */
  action: string;
}

// Up to this many names, "is one of" is a chain of === (pointer compares for interned strings);
// beyond, a Set lookup (a string-keyed lookup costs about as much as eight compares).
const maxInlineNames = 8;

/**
 * One function for "allowed = the record is in the subject's tenant, and a grant or an
 * allow rule applies, and no deny rule applies".
 */
export function generateDecision(
  tenantAttribute: string | undefined,
  grants: Grants,
  allows: TypedCondition[],
  denies: TypedCondition[],
): Decision | undefined {
  if (!codegenAvailable()) return undefined;
  const e = new Emitter();
  // The tenant check of compile.ts (inTenant), inlined. can() has checked that the subject's
  // tenant id is a non-empty string before calling.
  const tenant =
    tenantAttribute === undefined
      ? ''
      : `if (r[${JSON.stringify(tenantAttribute)}] !== s.tenant_id) return false; `;
  // The grant check of compile.ts (subjectHasGrant, grantingScope) as straight-line loops: no
  // Map lookup, no iterator, nothing allocated. roles and groups are arrays (checkSubject ran);
  // an element that is not a string is === to no name. Any subject may hold scopes, so every
  // decision asks them.
  const grant =
    `function g(s) { ${e.anyOf('s.roles', grants.roles)}${e.anyOf('s.groups', grants.groups)}` +
    `const S = s.scopes; return S != null && sc(S, ${e.constant(grants.action)}); }`;
  const allowed = ['g(s)', ...allows.map((c) => e.condition(c))].join(' || ');
  const denied = denies.length > 0 ? denies.map((c) => e.condition(c)).join(' || ') : 'false';
  const body =
    `"use strict"; ${grant} ` +
    `return function decide(s, r) { let v; ${tenant}if (!(${allowed})) return false; return !(${denied}); };`;
  const factory = new Function(...helperNames, 'k', body) as (...args: unknown[]) => Decision;
  return factory(...helperValues, e.constants);
}

/**
 * `name => its position in names, or -1`, for names known at compile time (the document's
 * resource types, its action names): how can() finds its (type, action) entry. Generated, it
 * is a switch on the length and then === against each name of that length: a few pointer
 * compares for interned strings, where a string-keyed Map lookup hashes and probes (and costs
 * more than the decision itself). Without code generation, or for more names than a switch is
 * worth, a Map.
 */
export function nameIndex(names: readonly string[], codegen: boolean): (name: string) => number {
  if (codegen && codegenAvailable() && names.length <= maxSwitchNames) {
    const byLength = new Map<number, number[]>();
    names.forEach((name, i) => {
      const same = byLength.get(name.length);
      if (same) same.push(i);
      else byLength.set(name.length, [i]);
    });
    // Names are written with JSON.stringify, like attribute names (see the note at the top).
    const cases = [...byLength]
      .map(
        ([length, at]) =>
          `case ${length}: ${at.map((i) => `if (n === ${JSON.stringify(names[i])}) return ${i}; `).join('')}return -1;`,
      )
      .join(' ');
    const body = `"use strict"; return function index(n) { switch (n.length) { ${cases} } return -1; };`;
    return new Function(body)() as (name: string) => number;
  }
  const positions = new Map(names.map((name, i) => [name, i]));
  return (name) => positions.get(name) ?? -1;
}

/** Past this many names, the Map: a document spelling out that many actions is rare. */
const maxSwitchNames = 1024;
