import { type AppRoute, type ContractOtherResponse, initContract, isAppRouteNoBody } from '@ts-rest/core';
import { z } from 'zod';
import { problemContentType, problemSchema } from '../errors';

export const c: ReturnType<typeof initContract> = initContract();

/**
 * Who may call a route. The server enforces this in one place (its authenticate plugin
 * reads `route.metadata.auth`), so no handler checks credentials by itself.
 * - `none`: public; no credential needed.
 * - `user`: a user access token (or a Privy access token) as `Authorization: Bearer`.
 * - `api_key`: an API key, as `X-API-Key` or `Authorization: Bearer`.
 * - `user_or_api_key`: either.
 * - `platform`: a platform API key (`enfp_…`, the deployment operator's, set by configuration); a
 *   tenant's key or a user's token is refused. Its `permission` is one of the key's scopes.
 * A credential of the wrong kind is `403 credential_not_allowed`; none at all, or an
 * invalid one, is `401`.
 */
export const authRequirements = ['none', 'user', 'api_key', 'user_or_api_key', 'platform'] as const;
export const authRequirementSchema = z.enum(authRequirements);
export type AuthRequirement = z.infer<typeof authRequirementSchema>;

export const routeMetadataSchema = z.object({
  auth: authRequirementSchema,
  /**
   * The permission (an action, like `groups.create`) the caller's role and groups must
   * grant, checked by the server before the handler runs. Absent: any authenticated
   * caller of the tenant may call it (the handler may still narrow, e.g. to oneself).
   */
  permission: z.string().optional(),
  /**
   * Only with `auth: 'none'`: a user token, when one is sent, is verified (a bad one is
   * still a 401) and handed to the handler, which may use it (self-serve takes a signed-in
   * session as proof of the admin email; logout can end every session).
   */
  optionalUser: z.boolean().optional(),
  /**
   * Only with `auth: 'none'`: the route authenticates its OAuth client itself (HTTP Basic, form
   * parameters, or an API key), so the `Authorization` header is left to it and not read as a Bearer.
   */
  clientAuthentication: z.boolean().optional(),
  /**
   * With `auth: 'user_or_api_key'`: an application's access token (client credentials, #18) is taken too,
   * and the application is the subject (`subject.kind = "client"`, its scopes its grants). Elsewhere such
   * a token is `401 token_invalid`.
   */
  clientToken: z.boolean().optional(),
  /** The OpenAPI tag (the domain). */
  tag: z.string(),
});
export type RouteMetadata = z.infer<typeof routeMetadataSchema>;

/**
 * A per-domain helper: `const meta = routeMeta('Groups')`, then on each route
 * `metadata: meta({ auth: 'user_or_api_key', permission: 'groups.read' })`.
 */
export const routeMeta =
  (tag: string) =>
  (m: Omit<RouteMetadata, 'tag'>): RouteMetadata => ({ ...m, tag });

/** Reads (and checks) a route's metadata: what the server's auth plugin calls. */
export const getRouteMetadata = (route: { metadata?: unknown }): RouteMetadata =>
  routeMetadataSchema.parse(route.metadata);

/**
 * Every error body: an RFC 9457 problem sent as `application/problem+json`. Named as an
 * interface so that declaration files refer to it instead of repeating the problem
 * schema's type for every status of every route (which made `index.d.ts` over 1 MB).
 */
export interface ProblemResponse extends ContractOtherResponse<typeof problemSchema> {}
export const problemResponse: ProblemResponse = c.otherResponse({
  contentType: problemContentType,
  body: problemSchema,
});

type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 500 | 503;

/** `problems(401, 404)` → `{ 401: problemResponse, 404: problemResponse }`, for a route's own errors. */
export const problems = <S extends ProblemStatus>(...statuses: S[]) =>
  Object.fromEntries(statuses.map((s) => [s, problemResponse])) as { [K in S]: ProblemResponse };

/**
 * Errors any route can answer with, declared once on the root router: bad input (400),
 * a body too large (413) or not JSON (415), rate limiting (429) and server trouble (500,
 * 503). Routes add the ones specific to them (401, 403, 404, 409, 412) with `problems()`.
 */
export const commonResponses = problems(400, 413, 415, 429, 500, 503);

/** Whether a route reads a request body: a GET, or a route whose body is `c.noBody()`, refuses one. */
export const routeTakesBody = (route: AppRoute): boolean =>
  'body' in route && route.body !== undefined && !isAppRouteNoBody(route.body as never);
