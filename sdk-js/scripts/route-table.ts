import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';
import type { RouteAuth, RouteTree } from '../src/client/route-tree';

/**
 * The runtime part of the contract the browser client needs: method, path and who may
 * call each route. The SDK keeps this table (src/client/routes.ts, generated from it)
 * instead of importing the contract at run time, because the contract object carries
 * every zod schema. `sdk-js/src/client/routes.test.ts` fails when the two drift apart.
 */

const authOf = (route: AppRoute): RouteAuth => {
  const meta = (route.metadata ?? {}) as { auth?: string; optionalUser?: boolean };
  if (meta.auth === 'none') return meta.optionalUser ? 'optional' : 'none';
  // API-key-only and platform routes are for servers: a browser session's token is never sent there.
  if (meta.auth === 'api_key' || meta.auth === 'platform') return 'none';
  return 'user';
};

export function routeTable(router: AppRouter): RouteTree {
  return Object.fromEntries(
    Object.entries(router).map(([key, value]) => [
      key,
      isAppRoute(value)
        ? 'contentType' in value && value.contentType === 'application/x-www-form-urlencoded'
          ? ([value.method, value.path, authOf(value), 'form'] as const)
          : ([value.method, value.path, authOf(value)] as const)
        : routeTable(value),
    ]),
  );
}

/** The TypeScript source of src/client/routes.ts. */
export function routeTableSource(router: AppRouter): string {
  const lines = [
    '// Generated from @enforcer/contract by `pnpm --filter @enforcer/sdk-js generate:routes`: do not edit.',
    '// Method, path and who may call each route; the types come from the contract itself.',
    "import type { RouteTree } from './route-tree';",
    '',
    `export const routes = ${JSON.stringify(routeTable(router), null, 2)} as const satisfies RouteTree;`,
    '',
  ];
  return lines.join('\n');
}
