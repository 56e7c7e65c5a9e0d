/** Who may call a route, as the browser client needs to know it: attach the bearer or not. */
export type RouteAuth = 'none' | 'optional' | 'user';
/** `form`: the route takes an `application/x-www-form-urlencoded` body (the OAuth endpoints), not JSON. */
export type RouteEntry =
  | readonly [method: string, path: string, auth: RouteAuth]
  | readonly [method: string, path: string, auth: RouteAuth, body: 'form'];
export interface RouteTree {
  readonly [key: string]: RouteEntry | RouteTree;
}
