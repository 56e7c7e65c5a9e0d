// The fuzzer's generator: a valid request for every route of the contract, or the fuzz cases start
// from bodies the server refuses for an unrelated reason and never reach deep.
import { describe, expect, test } from 'vitest';
import { contractRoutes } from './fuzzer';
import { fieldsOf, isolate, selfNesting, validVariants } from './schema-values';

const routes = contractRoutes();

describe('valid values from the contract', () => {
  test.each(routes.filter((r) => r.body).map((r) => [r.name, r] as const))('%s: body', (_name, route) => {
    const variants = validVariants(route.body);
    expect(variants.length).toBeGreaterThan(0);
    for (const variant of variants) expect(route.body.safeParse(variant).error?.issues ?? []).toEqual([]);
  });

  test.each(routes.filter((r) => r.query).map((r) => [r.name, r] as const))('%s: query', (_name, route) => {
    const [query] = validVariants(route.query);
    expect(route.query.safeParse(query).success).toBe(true);
  });

  test('fields carry their schemas, and the policy condition is found to nest itself', () => {
    const put = routes.find((r) => r.name === 'policy.put')!;
    const [document] = validVariants(put.body);
    const condition = fieldsOf(put.body, document).find((f) => f.path.join('.') === 'rules.0.condition');
    expect(condition?.schema).toBeDefined();
    expect(selfNesting(condition?.schema).map((n) => n.label)).toEqual([
      '{not: …}',
      '{and: [ … ]}',
      '{or: [ … ]}',
    ]);
  });

  test('isolate keeps the required keys and the one being fuzzed', () => {
    const create = routes.find((r) => r.name === 'apiKeys.create')!;
    const [body] = validVariants(create.body) as [Record<string, unknown>];
    expect(Object.keys(isolate(create.body, body, ['name']) as object)).toEqual(['name']);
    expect(Object.keys(isolate(create.body, body, ['role', 0]) as object).sort()).toEqual(['name', 'role']);
  });
});
