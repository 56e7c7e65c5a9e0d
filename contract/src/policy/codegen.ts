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
 * a single JavaScript function. It calls the very value functions of values.ts (passed in
 * as parameters, never re-implemented), but from call sites that each see one function,
 * so the JIT can inline them; a tree of closures cannot be inlined that way.
 *
 * Safety: the generated source holds only fixed tokens, parameter names and indexes into
 * a constants array. Every literal from the document travels in that array and attribute
 * names are written with JSON.stringify, so a document cannot inject code.
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

  ref(ref: Ref): string {
    const read = readerName[ref.type];
    switch (ref.kind) {
      case 'resource':
        return `${read}(r[${JSON.stringify(ref.name)}])`;
      case 'subject_attribute':
        return `${read}((s.attributes ?? E)[${JSON.stringify(ref.name)}])`;
      case 'subject':
        // subject.kind: absent or null reads as "account" (evaluate.ts, subjectKindOf); checkSubject
        // admitted only "account", "client", null or absent.
        return ref.field === 'kind' ? `${read}(s.kind ?? "account")` : `${read}(s.${ref.field})`;
    }
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
        return `ac(${this.ref(c.left)}, ${this.operand(c.right)})`;
      case 'in':
        return `vin(${this.ref(c.left)}, ${this.operand(c.right)})`;
      case 'eq':
        return `eq(${this.ref(c.left)}, ${this.operand(c.right)})`;
      case 'lt':
        return `lt(${this.ref(c.left)}, ${this.operand(c.right)})`;
      case 'lte':
        return `le(${this.ref(c.left)}, ${this.operand(c.right)})`;
      case 'gt':
        return `lt(${this.operand(c.right)}, ${this.ref(c.left)})`;
      case 'gte':
        return `le(${this.operand(c.right)}, ${this.ref(c.left)})`;
    }
  }
}

/**
 * One function for "allowed = the record is in the subject's tenant, and a grant or an
 * allow rule applies, and no deny rule applies".
 */
export function generateDecision(
  tenantAttribute: string | undefined,
  hasGrant: ((s: Subject) => boolean) | undefined,
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
  const allowParts = [...(hasGrant ? ['g(s)'] : []), ...allows.map((c) => e.condition(c))];
  if (allowParts.length === 0) return () => false;
  const allowed = allowParts.join(' || ');
  const denied = denies.length > 0 ? denies.map((c) => e.condition(c)).join(' || ') : 'false';
  const body = `"use strict"; return function decide(s, r) { ${tenant}if (!(${allowed})) return false; return !(${denied}); };`;
  const factory = new Function(...helperNames, 'k', 'g', body) as (...args: unknown[]) => Decision;
  return factory(...helperValues, e.constants, hasGrant);
}
