import type { AttributeType } from './schema';

/**
 * The value semantics of the policy language, in one place. `can()` and every plan
 * adapter (predicate, SQL, MikroORM) must agree with these functions; the consistency
 * suite in test/policy checks that they do, on real PostgreSQL.
 *
 * - A missing attribute, `null`, `undefined`, or a value of the wrong type is null.
 * - Numbers must be finite (NaN and ±Infinity read as null).
 * - Timestamps are compared in epoch milliseconds. They are read from `Date` objects
 *   or ISO 8601 strings with a time zone; anything else is null.
 * - A comparison (eq, lt, lte, gt, gte) with a null on either side is false.
 * - `ne` is `not eq`, `not_in` is `not in`: both are true when the value is null.
 * - `in` is false for a null value or a null/empty list; `contains` is false for a null
 *   array or a null needle; `exists` is true for any non-null value (an empty array exists).
 */

export type Scalar = string | number | boolean;
/** A normalised value: scalars as they are, timestamps as epoch ms, arrays of strings. */
export type Value = Scalar | readonly unknown[] | null;

// Year-month-day, hours and minutes, optional seconds and up to 9 fractional digits, a zone.
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Policy literals may only carry millisecond precision, so that JS and SQL see the same instant. */
export const isoTimestampLiteral = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instants a timestamp may be: 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z
 * (UTC). Both PostgreSQL and `Date` hold every one of them, and each is written as a plain
 * ISO 8601 string that PostgreSQL parses back to the same instant. A value outside (a
 * literal, a subject value, a record value) is refused in a document and reads as null
 * everywhere else.
 */
export const MIN_TIMESTAMP = -62135596800000; // 0001-01-01T00:00:00.000Z
export const MAX_TIMESTAMP = 253402300799999; // 9999-12-31T23:59:59.999Z

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of an ISO 8601 timestamp with a time zone, or null when it is malformed, not a
 * real calendar date or time (2026-02-30, T24:00:00Z, offsets beyond ±23:59) or outside
 * the range above. `Date.parse` alone would shift such dates to another day.
 */
export function parseIsoTimestamp(raw: string): number | null {
  // The shape fixes every field's position; reading the digits in place allocates nothing
  // (can() reads subject timestamps given as strings on every decision).
  if (!isoTimestamp.test(raw)) return null;
  const year = digits(raw, 0, 4);
  const month = digits(raw, 5, 2);
  const day = digits(raw, 8, 2);
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > daysInMonth[month - 1]! + (leap ? 1 : 0)) return null;
  if (digits(raw, 11, 2) > 23 || digits(raw, 14, 2) > 59) return null;
  if (raw.charCodeAt(16) === 58 /* : */ && digits(raw, 17, 2) > 59) return null;
  const n = raw.length;
  if (raw.charCodeAt(n - 1) !== 90 /* Z */ && (digits(raw, n - 5, 2) > 23 || digits(raw, n - 2, 2) > 59)) {
    return null;
  }
  const ms = Date.parse(raw);
  return ms >= MIN_TIMESTAMP && ms <= MAX_TIMESTAMP ? ms : null;
}

function digits(s: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) v = v * 10 + s.charCodeAt(i) - 48;
  return v;
}

export function readTimestamp(raw: unknown): number | null {
  if (raw instanceof Date) {
    const ms = raw.getTime();
    // NaN (an invalid Date) fails both comparisons.
    return ms >= MIN_TIMESTAMP && ms <= MAX_TIMESTAMP ? ms : null;
  }
  return typeof raw === 'string' ? parseIsoTimestamp(raw) : null;
}

// NUL, a high surrogate not followed by a low one, a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is looked for
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether PostgreSQL can store this string as it is. `text` holds no NUL character, and a
 * lone UTF-16 surrogate reaches it as U+FFFD (or not at all). A policy document may not
 * contain such strings; a subject value holding one can never equal anything a database
 * column holds, and the database adapters fold it to false (see adapters/nnf.ts).
 */
export function isStorableString(s: string): boolean {
  return !unstorable.test(s);
}

export function readString(raw: unknown): string | null {
  return typeof raw === 'string' ? raw : null;
}

export function readNumber(raw: unknown): number | null {
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
}

export function readBoolean(raw: unknown): boolean | null {
  return typeof raw === 'boolean' ? raw : null;
}

export function readStringArray(raw: unknown): readonly unknown[] | null {
  return Array.isArray(raw) ? raw : null;
}

export type Reader = (raw: unknown) => Value;

/** How to read a raw value of a declared type. */
export const readerFor: Record<AttributeType, Reader> = {
  string: readString,
  number: readNumber,
  boolean: readBoolean,
  timestamp: readTimestamp,
  'string[]': readStringArray,
};

export function valueEquals(a: Value, b: Value): boolean {
  return a !== null && b !== null && a === b;
}

export function valueLess(a: Value, b: Value): boolean {
  return a !== null && b !== null && a < b;
}

export function valueLessOrEqual(a: Value, b: Value): boolean {
  return a !== null && b !== null && a <= b;
}

/** `needle` is one of `list` (list elements are compared with `valueEquals`). */
export function valueIn(needle: Value, list: readonly unknown[] | null): boolean {
  if (needle === null || list === null) return false;
  for (const item of list) if (item === needle) return true;
  return false;
}

/** Only strings can be found in a string array; an element of another type never matches. */
export function arrayContains(array: Value, needle: Value): boolean {
  if (array === null || typeof needle !== 'string' || !Array.isArray(array)) return false;
  return array.includes(needle);
}

/** Parse a literal of a declared type; returns null when it does not fit (validate.ts reports it). */
export function parseLiteral(type: AttributeType, literal: unknown): Scalar | null {
  switch (type) {
    case 'string':
      return typeof literal === 'string' ? literal : null;
    case 'number':
      return readNumber(literal);
    case 'boolean':
      return readBoolean(literal);
    case 'timestamp':
      return typeof literal === 'string' && isoTimestampLiteral.test(literal)
        ? parseIsoTimestamp(literal)
        : null;
    default:
      return null;
  }
}
