import { c, problems, routeMeta } from '../common/route';
import { listOf } from '../common/schemas';
import { roleSchema } from './schemas';

const meta = routeMeta('Roles');

export const rolesContract = c.router({
  list: {
    method: 'GET',
    path: '/roles',
    summary: 'The role catalog: built-in roles and those of the tenant policy',
    responses: { 200: listOf(roleSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'roles.read' }),
  },
});
