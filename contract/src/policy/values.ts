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

export function readTimestamp(raw: unknown): number | null {
  let ms: number;
  if (raw instanceof Date) ms = raw.getTime();
  else if (typeof raw === 'string' && isoTimestamp.test(raw)) ms = Date.parse(raw);
  else return null;
  return Number.isFinite(ms) ? ms : null;
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
      return typeof literal === 'string' && isoTimestampLiteral.test(literal) ? readTimestamp(literal) : null;
    default:
      return null;
  }
}
