import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated, paginationQuerySchema } from '../common/schemas';
import {
  applicationSchema,
  applicationWithSecretSchema,
  createApplicationBodySchema,
  createdApplicationSchema,
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
      "Scopes are actions of the tenant's policy, each one the caller holds itself. The secret is stored hashed. With `jwks` (public keys) the application authenticates with `private_key_jwt` instead and is given no secret.",
    body: createApplicationBodySchema,
    responses: { 201: createdApplicationSchema, ...problems(401, 403) },
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
      'Rename an application, change its scopes (tokens already issued keep theirs until they expire) or replace its keys',
    description:
      '`jwks` replaces the keys of a `private_key_jwt` application at once; sent for an application with a secret it is `409 conflict`.',
    pathParams: idParamsSchema,
    body: updateApplicationBodySchema,
    responses: { 200: applicationSchema, ...problems(401, 403, 404, 409) },
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
    description:
      'A `private_key_jwt` application has no secret: `409 conflict` (replace its `jwks` instead).',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: applicationWithSecretSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'applications.manage' }),
  },
});
