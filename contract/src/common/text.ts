import { z } from 'zod';
import type { FieldError } from '../errors';

/**
 * What every request may carry, checked once for the whole request before any schema sees it
 * (the server's JSON parser and the MSW mock call `checkRequestValue`), and again field by field by
 * `textSchema` so the SDKs and the OpenAPI document say the same:
 *
 * - no string (value or object key) holds U+0000 or a lone UTF-16 surrogate: PostgreSQL cannot store
 *   the first and silently turns the second into U+FFFD, so the row read back would not be what was sent;
 * - objects and arrays nest at most `maxRequestDepth` levels, so no validator or handler can be made
 *   to recurse until the stack overflows.
 */
export const maxRequestDepth = 64;

/** U+0000 or an unpaired surrogate (in `u` mode `\p{Cs}` matches only unpaired halves). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding U+0000 is the point
const unstorable = /[\u0000\p{Cs}]/u;

/** Why a string cannot be stored as given, or undefined when it can. */
export function unstorableReason(value: string): string | undefined {
  const found = unstorable.exec(value);
  if (!found) return undefined;
  return found[0] === '\u0000'
    ? 'must not contain the NUL character (U+0000)'
    : 'must not contain an unpaired UTF-16 surrogate (not valid Unicode)';
}

/** `body.a.b[2]`-style path as FieldError uses it (`body.a.b.2`). */
const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

/**
 * The first reason `value` (a parsed JSON body, a query object) cannot be accepted, with its path:
 * too deep, or a string that cannot be stored. Iterative, so a hostile depth cannot overflow the stack.
 */
export function checkRequestValue(
  value: unknown,
  prefix = 'body',
  maxDepth = maxRequestDepth,
): FieldError | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: prefix, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      const reason = unstorableReason(item.value);
      if (reason) return { path: item.path, message: reason };
      continue;
    }
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= maxDepth)
      return { path: item.path, message: `nests deeper than ${maxDepth} levels of objects and arrays` };
    if (Array.isArray(item.value)) {
      item.value.forEach((child, index) => {
        stack.push({ value: child, path: join(item.path, index), depth: item.depth + 1 });
      });
      continue;
    }
    for (const [key, child] of Object.entries(item.value)) {
      const reason = unstorableReason(key);
      if (reason) return { path: item.path, message: `has a key that ${reason}` };
      stack.push({ value: child, path: join(item.path, key), depth: item.depth + 1 });
    }
  }
  return undefined;
}

/** A zod check (`.check(storableText)`): refuses strings PostgreSQL cannot store as given. */
export const storableText = (payload: z.core.ParsePayload<string>): void => {
  const reason = unstorableReason(payload.value);
  if (reason) payload.issues.push({ code: 'custom', message: reason, input: payload.value, continue: false });
};

/**
 * A user-supplied string that reaches the database: at most `max` UTF-16 units, no NUL, no lone
 * surrogate. Free-text fields of the contract are built from this or end in `.check(storableText)`.
 */
export const textSchema = (max: number) => z.string().max(max).check(storableText);

/** `new URL(value)` that answers undefined instead of throwing (validators must never throw). */
export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Whether a JSON body's Content-Type may be read as UTF-8: no `charset`, or `utf-8`/`utf8` in any case. */
export function jsonCharsetAccepted(contentType: string | undefined): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}
