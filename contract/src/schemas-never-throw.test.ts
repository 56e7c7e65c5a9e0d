// A request schema that throws (instead of returning an issue) is worse than a wrong one: ts-rest
// validates through Standard Schema, zod retries a throwing parse asynchronously, ts-rest refuses the
// promise, and the rejection escapes every handler (issue #11: one request with `redirect_url: "notaurl"`
// stopped the server). Every body, query and path schema of the contract is fed hostile values here, each
// field in turn, and must answer synchronously, without throwing.
import { isAppRouteNoBody, isZodType } from '@ts-rest/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkRequestValue, maxRequestDepth } from './common/text';
import { contract } from './contract';
import { listRoutes } from './openapi';

const deep = (depth: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { not: value };
  return value;
};

const hostileValues: unknown[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '\ufffd',
  '😀',
  'notaurl',
  'http://',
  'https://',
  '://',
  'javascript:alert(1)',
  'http://[::1',
  'https://exa mple.com',
  '%',
  'NULL',
  'x'.repeat(100_000),
  -0,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  -1e308,
  0.5,
  true,
  null,
  [],
  {},
  [null],
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}'),
  deep(200),
];

/** The pool itself, then for an object schema each key in turn set to each value of the pool (alone and in an array). */
function* mutations(schema: z.ZodType): Generator<unknown> {
  yield* hostileValues;
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : undefined;
  if (!shape) return;
  for (const key of Object.keys(shape)) {
    for (const value of hostileValues) {
      yield { [key]: value };
      yield { [key]: [value] };
    }
  }
}

const schemasOf = (route: ReturnType<typeof listRoutes>[number]['route']) => {
  const out: Array<[string, z.ZodType]> = [];
  if ('body' in route && route.body !== undefined && !isAppRouteNoBody(route.body) && isZodType(route.body))
    out.push(['body', route.body as z.ZodType]);
  if (route.query && isZodType(route.query)) out.push(['query', route.query as z.ZodType]);
  if (route.pathParams && isZodType(route.pathParams)) out.push(['params', route.pathParams as z.ZodType]);
  return out;
};

describe('every request schema answers hostile input synchronously, never by throwing', () => {
  const routes = listRoutes(contract);
  it.each(routes.map(({ name, route }) => [name, route] as const))('%s', (_, route) => {
    let checked = 0;
    for (const [part, schema] of schemasOf(route)) {
      for (const value of mutations(schema)) {
        const result = schema['~standard'].validate(value);
        expect(
          result instanceof Promise,
          `${part} returned a promise for ${String(value).slice(0, 40)}`,
        ).toBe(false);
        checked++;
      }
    }
    if (schemasOf(route).length > 0) expect(checked).toBeGreaterThan(0);
  });
});

describe('checkRequestValue', () => {
  it('accepts ordinary JSON, including paired surrogates (emoji)', () => {
    expect(
      checkRequestValue({ name: 'Zoë 😀', tags: ['a', 'b'], n: 1, ok: true, none: null }),
    ).toBeUndefined();
  });

  it('names the path of a NUL, a lone surrogate, or a bad key', () => {
    expect(checkRequestValue({ a: [{ b: 'x\u0000' }] })?.path).toBe('body.a.0.b');
    expect(checkRequestValue({ a: '\udfff' })?.path).toBe('body.a');
    expect(checkRequestValue({ a: { '\ud800': 1 } })).toMatchObject({ path: 'body.a', message: /key/ });
    expect(checkRequestValue({ cursor: 'a\u0000' }, 'query')?.path).toBe('query.cursor');
  });

  it(`allows ${maxRequestDepth} levels and refuses one more, without recursing`, () => {
    const nest = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    expect(checkRequestValue(nest(maxRequestDepth))).toBeUndefined();
    expect(checkRequestValue(nest(maxRequestDepth + 1))?.message).toMatch(/deeper than 64/);
    expect(checkRequestValue(nest(1_000_000))?.message).toMatch(/deeper than 64/);
  });
});
