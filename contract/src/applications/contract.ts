import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated, paginationQuerySchema } from '../common/schemas';
import {
  applicationSchema,
  applicationWithSecretSchema,
  createApplicationBodySchema,
  updateApplicationBodySchema,
} from './schemas';

const meta = routeMeta('Applications');

/**
 * Applications (machine clients, #18): a tenant's backends that obtain tokens of their own with the OAuth
 * client credentials grant (`POST /oauth/token`). Managing them needs `applications.manage`; reading them
 * `applications.read`.
 */
export const applicationsContract = c.router({
  create: {
    method: 'POST',
    path: '/applications',
    summary: 'Register an application (the client secret is in this answer only)',
    description:
      "Scopes are actions of the tenant's policy, each one the caller holds itself. The secret is stored hashed.",
    body: createApplicationBodySchema,
    responses: { 201: applicationWithSecretSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'applications.manage' }),
  },
  list: {
    method: 'GET',
    path: '/applications',
    summary: "List the tenant's applications (never their secrets)",
    query: paginationQuerySchema,
    responses: { 200: paginated(applicationSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'applications.read' }),
  },
  get: {
    method: 'GET',
    path: '/applications/:id',
    summary: 'One application (never its secret)',
    pathParams: idParamsSchema,
    responses: { 200: applicationSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'applications.read' }),
  },
  update: {
    method: 'PATCH',
    path: '/applications/:id',
    summary:
      'Rename an application or change its scopes (tokens already issued keep theirs until they expire)',
    pathParams: idParamsSchema,
    body: updateApplicationBodySchema,
    responses: { 200: applicationSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'applications.manage' }),
  },
  delete: {
    method: 'DELETE',
    path: '/applications/:id',
    summary: 'Delete an application: its secret stops working and its tokens stop introspecting as active',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'applications.manage' }),
  },
  rotateSecret: {
    method: 'POST',
    path: '/applications/:id/rotate-secret',
    summary:
      'Replace the client secret (the new one is in this answer only; the old one stops working at once)',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: applicationWithSecretSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'applications.manage' }),
  },
});
