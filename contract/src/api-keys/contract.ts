import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated, paginationQuerySchema } from '../common/schemas';
import { apiKeySchema, createApiKeyBodySchema, createdApiKeySchema } from './schemas';

const meta = routeMeta('API keys');

export const apiKeysContract = c.router({
  create: {
    method: 'POST',
    path: '/api-keys',
    summary: 'Mint an API key (the plaintext key is in this answer only)',
    description: 'Needs a signed-in person: an API key cannot mint further keys.',
    body: createApiKeyBodySchema,
    responses: { 201: createdApiKeySchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user', permission: 'api_keys.create' }),
  },
  list: {
    method: 'GET',
    path: '/api-keys',
    summary: "List the tenant's API keys the caller may read (never the keys themselves)",
    description: 'Filtered by the policy engine (`api_keys.read` on `api_key`).',
    query: paginationQuerySchema,
    responses: { 200: paginated(apiKeySchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key' }),
  },
  delete: {
    method: 'DELETE',
    path: '/api-keys/:id',
    summary: 'Delete (revoke) an API key; it stops working at once',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'api_keys.delete' }),
  },
});
