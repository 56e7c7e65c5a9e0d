/** Who may call a route, as the browser client needs to know it: attach the bearer or not. */
export type RouteAuth = 'none' | 'optional' | 'user';
export type RouteEntry = readonly [method: string, path: string, auth: RouteAuth];
export interface RouteTree {
  readonly [key: string]: RouteEntry | RouteTree;
}
