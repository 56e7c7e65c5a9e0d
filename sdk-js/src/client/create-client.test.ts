import { contract } from '@enforcer/contract';
import { type AppRoute, type AppRouter, initClient, isAppRoute } from '@ts-rest/core';
import { describe, expect, it } from 'vitest';
import { routeTable } from '../../scripts/route-table';
import { buildRequest, type ClientRequest, createClient } from './create-client';
import type { RouteEntry, RouteTree } from './route-tree';
import { routes } from './routes';

function leaves(router: AppRouter, prefix: string[] = []): [string[], AppRoute][] {
  return Object.entries(router).flatMap(([key, value]) =>
    isAppRoute(value) ? [[[...prefix, key], value] as [string[], AppRoute]] : leaves(value, [...prefix, key]),
  );
}

const at = (tree: unknown, path: string[]) =>
  path.reduce((node, key) => (node as Record<string, unknown>)[key], tree);

describe('the route table', () => {
  it('is generated from the contract (run `pnpm --filter @enforcer/sdk-js generate:routes` after a contract change)', () => {
    expect(routes).toEqual(routeTable(contract));
  });

  it('covers every route of the contract', () => {
    for (const [path, route] of leaves(contract)) {
      const entry = at(routes as RouteTree, path) as RouteEntry;
      expect(entry[0]).toBe(route.method);
      expect(entry[1]).toBe(route.path);
    }
  });
});

describe('the typed client', () => {
  it('builds the same request as ts-rest initClient for every route', async () => {
    const seen: { method: string; path: string; headers: Record<string, string>; body: unknown }[] = [];
    const reference = initClient(contract, {
      baseUrl: 'https://api.example.com',
      api: async (args) => {
        seen.push({ method: args.method, path: args.path, headers: args.headers, body: args.body });
        return { status: 200, body: {}, headers: new Headers() };
      },
    });
    const ours: ClientRequest[] = [];
    const client = createClient('https://api.example.com', async (request) => {
      ours.push(request);
      return { status: 200, body: {}, headers: new Headers() };
    });
    for (const [path, route] of leaves(contract)) {
      const params = Object.fromEntries(
        [...route.path.matchAll(/:([a-z_]+)/g)].map((m) => [m[1], '3f2c0a4e-7a1b-4c6e-9d2f-1a2b3c4d5e6f']),
      );
      const args = {
        params,
        ...(route.method === 'GET' ? { query: { limit: 10, cursor: 'a b&c', skip: undefined } } : {}),
        ...(route.method !== 'GET' && route.method !== 'DELETE' ? { body: { name: 'x', n: 1 } } : {}),
        headers: { 'x-trace': 'abc' },
      };
      await (at(reference, path) as (a: unknown) => Promise<unknown>)(args);
      await (at(client, path) as (a: unknown) => Promise<unknown>)(args);
      const theirs = seen.at(-1)!;
      const mine = ours.at(-1)!;
      expect(mine.method).toBe(theirs.method);
      expect(mine.url).toBe(theirs.path);
      // A form route's body (the OAuth endpoints): ts-rest hands fetch URLSearchParams, we its text.
      expect(mine.body).toEqual(
        theirs.body instanceof URLSearchParams ? theirs.body.toString() : (theirs.body ?? undefined),
      );
      expect(mine.headers).toEqual(theirs.headers);
    }
  });

  it('encodes path parameters', () => {
    const request = buildRequest('https://x.test/', ['GET', '/a/:id', 'user'], { params: { id: 'a/b' } });
    expect(request.url).toBe('https://x.test/a/a%2Fb');
  });
});
