// Valid values from the contract's zod 4 schemas, by reading `schema._zod.def` (no zod import needed:
// the schemas carry their own definitions and `safeParse`). Strings are picked from candidates and
// checked with the schema itself, so formats, regexes and refinements are honoured without
// re-implementing them. Also: the fields of a value with the schema each one is checked against.

// biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definitions
export type Schema = any;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

/** The schema under optional/nullable/default/lazy/pipe wrappers. */
export function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 50 && s?._zod; i++) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type)) s = def.innerType;
    else if (def.type === 'lazy') s = s._zod.innerType ?? def.getter();
    else if (def.type === 'pipe') s = def.in?._zod?.def?.type === 'transform' ? def.out : def.in;
    else return s;
  }
  return s;
}

export const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && '_zod' in value;

const accepts = (schema: Schema, value: unknown): boolean => {
  try {
    return schema.safeParse(value).success === true;
  } catch {
    return false;
  }
};

// biome-ignore lint/suspicious/noExplicitAny: zod issues
const issuesOf = (schema: Schema, value: unknown): any[] => {
  try {
    return schema.safeParse(value).error?.issues ?? [];
  } catch {
    return [{ path: [] }];
  }
};

const STRING_CANDIDATES = [
  'fuzz',
  'Fuzz Name',
  'fuzz@example.com',
  'https://example.com/callback',
  'https://app.example.com',
  'http://localhost:3000/callback',
  '00000000-0000-4000-8000-000000000000',
  '2099-01-01T00:00:00.000Z',
  '2026-01-01T00:00:00.000Z',
  '2026-01-01',
  '+15555550123',
  '123456',
  'ABCD-EFGH',
  'member',
  'admin',
  'accounts.read',
  // A webhook event filter (#16).
  'account.*',
  'document',
  'subject.id',
  'email_otp',
  'totp',
  '0x52908400098527886E0F7030069857D2E4169EE7',
  'Correct-Horse-Battery-Staple-42',
  'a'.repeat(43),
  `0x${'ab'.repeat(65)}`,
  '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
  'aaaa-bbbb-cccc',
  'ABCDEFGHJKLMNPQR',
  'fuzz_name',
  'a',
];

/**
 * A value the schema accepts, or `undefined` when none was found. Optional object keys are
 * included (more fields to mutate); `depth` stops recursive schemas.
 */
export function validValue(schema: Schema, depth = 0): unknown {
  if (!schema?._zod || depth > 12) return undefined;
  const def = schema._zod.def;
  const bag = schema._zod.bag ?? {};
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
    case 'prefault':
      return validValue(def.innerType, depth);
    case 'default': {
      const inner = validValue(def.innerType, depth);
      return inner === undefined ? def.defaultValue : inner;
    }
    case 'lazy':
      return validValue(schema._zod.innerType ?? def.getter(), depth + 1);
    case 'pipe':
      return validValue(def.in, depth);
    case 'string': {
      const min = typeof bag.minimum === 'number' ? bag.minimum : 0;
      for (const candidate of STRING_CANDIDATES) {
        const padded = candidate.length < min ? candidate + 'x'.repeat(min - candidate.length) : candidate;
        if (accepts(schema, padded)) return padded;
      }
      const plain = 'x'.repeat(Math.max(1, min));
      return accepts(schema, plain) ? plain : undefined;
    }
    case 'number':
    case 'int': {
      for (const candidate of [1, 0, bag.minimum, bag.maximum, 10, 100, 3600]) {
        if (typeof candidate === 'number' && accepts(schema, candidate)) return candidate;
      }
      return undefined;
    }
    case 'bigint':
      return undefined;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'undefined':
    case 'void':
      return undefined;
    case 'any':
    case 'unknown':
      return 'fuzz';
    case 'enum':
      return Object.values(def.entries)[0];
    case 'literal':
      return def.values[0];
    case 'date':
      return '2026-01-01T00:00:00.000Z';
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(def.shape as Record<string, Schema>)) {
        const value = validValue(field, depth + 1);
        if (value !== undefined) out[key] = value;
      }
      // Drop the optional keys the schema complains about (no valid value found, mutually exclusive).
      for (let attempt = 0; attempt < 10; attempt++) {
        const issues = issuesOf(schema, out);
        if (issues.length === 0) return out;
        const culprits = new Set(issues.map((issue) => issue.path?.[0]));
        const optional = [...culprits].filter(
          (key): key is string => typeof key === 'string' && def.shape[key]?._zod.optin === 'optional',
        );
        if (optional.length === 0) break;
        for (const key of optional) delete out[key];
      }
      return out;
    }
    case 'array': {
      const element = validValue(def.element, depth + 1);
      const min = typeof bag.minimum === 'number' ? bag.minimum : 0;
      const one = element === undefined ? [] : [element];
      if (accepts(schema, one)) return one;
      const filled = Array.from({ length: Math.max(min, 1) }, () => element);
      if (accepts(schema, filled)) return filled;
      return accepts(schema, []) ? [] : one;
    }
    case 'tuple':
      return (def.items as Schema[]).map((item) => validValue(item, depth + 1));
    case 'union': {
      let fallback: unknown;
      for (const option of def.options as Schema[]) {
        const value = validValue(option, depth + 1);
        if (value === undefined) continue;
        if (accepts(schema, value)) return value;
        fallback ??= value;
      }
      return fallback;
    }
    case 'intersection': {
      const left = validValue(def.left, depth + 1);
      const right = validValue(def.right, depth + 1);
      return typeof left === 'object' && typeof right === 'object' ? { ...left, ...right } : left;
    }
    case 'record': {
      const key = validValue(def.keyType, depth + 1);
      const value = validValue(def.valueType, depth + 1);
      return typeof key === 'string' && value !== undefined ? { [key]: value } : {};
    }
    case 'template_literal':
      return undefined;
    default:
      return undefined;
  }
}

/** Every way a value of this schema can be valid at the top (union options expanded), up to `limit`. */
export function validVariants(schema: Schema, limit = 8): unknown[] {
  const s = unwrap(schema);
  if (s?._zod?.def.type === 'union') {
    const out: unknown[] = [];
    for (const option of s._zod.def.options as Schema[]) {
      const value = validValue(option);
      if (value !== undefined && accepts(schema, value)) out.push(value);
      if (out.length >= limit) break;
    }
    if (out.length > 0) return out;
  }
  const value = validValue(schema);
  return value === undefined ? [] : [value];
}

export type PathSegment = string | number;

export interface Field {
  path: PathSegment[];
  /** The field's current value (undefined: an optional key that is absent). */
  value: unknown;
  /** The schema the field is checked against (unwrapped), when known. */
  schema: Schema | undefined;
}

/**
 * The fields of `value` (every object key and the first element of every array, recursively), each
 * with its schema, plus the optional keys of each object that `value` leaves out.
 */
export function fieldsOf(schema: Schema | undefined, value: unknown, path: PathSegment[] = []): Field[] {
  const out: Field[] = [];
  const s = schema ? unwrap(schema) : undefined;
  const def = s?._zod?.def;
  if (def?.type === 'union') {
    const option = (def.options as Schema[]).find((o) => accepts(o, value));
    return fieldsOf(option, value, path);
  }
  if (Array.isArray(value)) {
    if (value.length > 0) {
      const element =
        def?.type === 'array' ? def.element : def?.type === 'tuple' ? (def.items as Schema[])[0] : undefined;
      out.push({ path: [...path, 0], value: value[0], schema: element && unwrap(element) });
      out.push(...fieldsOf(element, value[0], [...path, 0]));
      if (def?.type === 'tuple') {
        for (let i = 1; i < value.length; i++) {
          const item = (def.items as Schema[])[i];
          out.push({ path: [...path, i], value: value[i], schema: item && unwrap(item) });
          out.push(...fieldsOf(item, value[i], [...path, i]));
        }
      }
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const shape: Record<string, Schema> | undefined = def?.type === 'object' ? def.shape : undefined;
    const keys = new Set([...Object.keys(record), ...Object.keys(shape ?? {})]);
    for (const key of keys) {
      const fieldSchema = shape?.[key] ?? (def?.type === 'record' ? def.valueType : undefined);
      out.push({ path: [...path, key], value: record[key], schema: fieldSchema && unwrap(fieldSchema) });
      if (key in record) out.push(...fieldsOf(fieldSchema, record[key], [...path, key]));
    }
  }
  return out;
}

/**
 * Ways a schema nests itself (`{ not: C }`, `{ and: [C] }`): for each, the JSON text before and
 * after one level, so a chain of any depth can be written without recursion.
 */
export function selfNesting(schema: Schema | undefined): { label: string; open: string; close: string }[] {
  const s = schema ? unwrap(schema) : undefined;
  if (!s?._zod) return [];
  const options: Schema[] = s._zod.def.type === 'union' ? s._zod.def.options : [s];
  const out: { label: string; open: string; close: string }[] = [];
  for (const option of options) {
    const o = unwrap(option);
    if (o?._zod?.def.type !== 'object') continue;
    for (const [key, field] of Object.entries(o._zod.def.shape as Record<string, Schema>)) {
      const f = unwrap(field);
      if (f === s) out.push({ label: `{${key}: …}`, open: `{${JSON.stringify(key)}:`, close: '}' });
      else if (f?._zod?.def.type === 'array' && unwrap(f._zod.def.element) === s)
        out.push({ label: `{${key}: [ … ]}`, open: `{${JSON.stringify(key)}:[`, close: ']}' });
    }
  }
  // `{not: …}` first: the chain that overflowed the stack in issue #11.
  return out.sort((a, b) => Number(a.close !== '}') - Number(b.close !== '}'));
}

/**
 * `value` with only the top-level keys the schema requires, plus the one `path` goes through: a
 * hostile value in one field is then not refused because of an unrelated sibling (a fake Google client
 * id next to the name being fuzzed).
 */
export function isolate(schema: Schema | undefined, value: unknown, path: PathSegment[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || path.length === 0) return value;
  let s = schema ? unwrap(schema) : undefined;
  if (s?._zod?.def.type === 'union')
    s = unwrap((s._zod.def.options as Schema[]).find((o) => accepts(o, value)));
  if (s?._zod?.def.type !== 'object') return value;
  const shape = s._zod.def.shape as Record<string, Schema>;
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => key === path[0] || shape[key]?._zod.optin !== 'optional'),
  );
}

/** The value with only its required top-level keys (for a PATCH, often `{}`). */
export const requiredOnly = (schema: Schema | undefined, value: unknown): unknown =>
  isolate(schema, value, ['\u0000']);
