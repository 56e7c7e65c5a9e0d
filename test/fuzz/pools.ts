// Hostile values. Each has a label (what the report shows instead of a 1 MB string) and a kind
// (tried first on fields of the same kind, then everywhere: wrong types are the point).

/** JSON text put into a body as is: numbers JSON cannot round-trip, 3,000 levels of nesting. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type Kind = 'string' | 'number' | 'type' | 'proto' | 'deep';

export interface Hostile {
  label: string;
  kind: Kind;
  value: unknown;
}

export const DEEP = 3000;

const deepArray = (n: number) => new RawJson(`${'['.repeat(n)}${']'.repeat(n)}`);
const deepObject = (n: number) => new RawJson(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

const kb = (n: number) => 'x'.repeat(n * 1000);

export const STRINGS: Hostile[] = [
  { label: '""', value: '' },
  { label: '" "', value: ' ' },
  { label: 'whitespace "\\t\\n \\r"', value: '\t\n \r' },
  { label: '"a\\u0000b" (NUL)', value: 'a\u0000b' },
  { label: '"\\u0000"', value: '\u0000' },
  { label: '"\\ud800" (lone surrogate)', value: '\ud800' },
  { label: '"x\\udfffx" (lone low surrogate)', value: 'x\udfffx' },
  { label: '"\\ufeff" (BOM)', value: '\ufeff' },
  { label: '"\\u202e" (RTL override)', value: 'a\u202eb' },
  { label: '"notaurl"', value: 'notaurl' },
  { label: '"http://"', value: 'http://' },
  { label: '"javascript:alert(1)"', value: 'javascript:alert(1)' },
  { label: '"https://u:p@example.com/#f"', value: 'https://u:p@example.com/#f' },
  { label: '"//example.com"', value: '//example.com' },
  { label: '"../../../etc/passwd"', value: '../../../etc/passwd' },
  { label: `"'; drop table tenant; --"`, value: "'; drop table tenant; --" },
  { label: '"%ff"', value: '%ff' },
  { label: '"😀" x 100', value: '😀'.repeat(100) },
  { label: '300-char string', value: 'x'.repeat(300) },
  { label: '60 kB string', value: kb(60) },
  { label: '100 kB string', value: kb(100) },
  { label: '1 MB string', value: kb(1000) },
].map((h) => ({ ...h, kind: 'string' as const }));

export const NUMBERS: Hostile[] = [
  { label: '0', value: 0 },
  { label: '-1', value: -1 },
  { label: '1.5', value: 1.5 },
  { label: '2^53+1', value: new RawJson('9007199254740993') },
  { label: '1e308', value: 1e308 },
  { label: '-1e308', value: -1e308 },
  { label: '1e400 (Infinity)', value: new RawJson('1e400') },
  { label: '-1e400', value: new RawJson('-1e400') },
  { label: '1e-400', value: new RawJson('1e-400') },
  { label: '30-digit integer', value: new RawJson('123456789012345678901234567890') },
].map((h) => ({ ...h, kind: 'number' as const }));

export const TYPES: Hostile[] = [
  { label: 'null', value: null },
  { label: 'true', value: true },
  { label: 'false', value: false },
  { label: '[]', value: [] },
  { label: '{}', value: {} },
  { label: '[null]', value: [null] },
  { label: '{"a":1}', value: { a: 1 } },
  { label: '"123"', value: '123' },
  { label: '123', value: 123 },
].map((h) => ({ ...h, kind: 'type' as const }));

export const PROTO: Hostile[] = [
  { label: '{"__proto__":{"polluted":true}}', value: new RawJson('{"__proto__":{"polluted":true}}') },
  {
    label: '{"constructor":{"prototype":{"polluted":true}}}',
    value: new RawJson('{"constructor":{"prototype":{"polluted":true}}}'),
  },
  { label: '"__proto__"', value: '__proto__' },
].map((h) => ({ ...h, kind: 'proto' as const }));

export const DEEPS: Hostile[] = [
  { label: `[[[…]]] x ${DEEP}`, value: deepArray(DEEP) },
  { label: `{"a":{"a":…}} x ${DEEP}`, value: deepObject(DEEP) },
].map((h) => ({ ...h, kind: 'deep' as const }));

export const ALL: Hostile[] = [...STRINGS, ...NUMBERS, ...TYPES, ...PROTO, ...DEEPS];

/** Whole bodies that are not the object a route expects. */
export const WHOLE_BODIES: Hostile[] = [
  ...TYPES.filter((h) => h.label !== '{}'),
  ...DEEPS,
  PROTO[0]!,
  PROTO[1]!,
];

/** Bodies sent to routes that take none: each must be refused. */
export const UNWANTED_BODIES: Hostile[] = [
  { label: 'null', kind: 'type', value: null },
  { label: '[]', kind: 'type', value: [] },
  { label: '"x"', kind: 'type', value: 'x' },
  { label: '123', kind: 'type', value: 123 },
  { label: '{"a":1}', kind: 'type', value: { a: 1 } },
];

/** Path segments, sent as is (already URL-encoded where they need to be). */
export const PATH_SEGMENTS: { label: string; raw: string }[] = [
  { label: '5,000 characters', raw: 'a'.repeat(5000) },
  { label: '%ff', raw: '%ff' },
  { label: '%00', raw: '%00' },
  { label: '%', raw: '%' },
  { label: '%c3%28 (invalid UTF-8)', raw: '%c3%28' },
  { label: '%ed%a0%80 (encoded surrogate)', raw: '%ed%a0%80' },
  { label: '..', raw: '..' },
  { label: '%2e%2e%2f', raw: '%2e%2e%2f' },
  { label: 'null', raw: 'null' },
  { label: '-1', raw: '-1' },
  { label: '1e400', raw: '1e400' },
  { label: 'not-a-uuid', raw: 'not-a-uuid' },
  { label: '%20', raw: '%20' },
  { label: '__proto__', raw: '__proto__' },
];

/** Query values, sent as is. */
export const QUERY_VALUES: { label: string; raw: string }[] = [
  ...PATH_SEGMENTS,
  { label: 'empty', raw: '' },
  { label: '1e400', raw: '1e400' },
  { label: '-1', raw: '-1' },
  { label: '99999999999999999999', raw: '99999999999999999999' },
  { label: '1.5', raw: '1.5' },
  { label: 'NaN', raw: 'NaN' },
  { label: '%00 inside', raw: 'a%00b' },
  { label: '10 kB', raw: 'x'.repeat(10_000) },
];

/** Tried first on a field of their kind: each has found a bug here before (issue #11). */
export const CRITICAL = new Set([
  '"a\\u0000b" (NUL)',
  '"\\ud800" (lone surrogate)',
  '"notaurl"',
  '""',
  '60 kB string',
  '1e400 (Infinity)',
  '2^53+1',
  '{"a":1}',
  '[[[…]]] x 3000',
]);
