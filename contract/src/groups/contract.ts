import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, listOf, paginated, paginationQuerySchema } from '../common/schemas';
import {
  addGroupMemberBodySchema,
  createGroupBodySchema,
  groupMemberParamsSchema,
  groupMembershipSchema,
  groupSchema,
  updateGroupBodySchema,
} from './schemas';

const meta = routeMeta('Groups');

export const groupsContract = c.router({
  list: {
    method: 'GET',
    path: '/groups',
    summary: "List the tenant's groups the caller may read",
    description: 'Filtered by the policy engine (`groups.read` on `group`).',
    query: paginationQuerySchema,
    responses: { 200: paginated(groupSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key' }),
  },
  create: {
    method: 'POST',
    path: '/groups',
    summary: 'Create a group (its name is what policies and tokens refer to)',
    body: createGroupBodySchema,
    responses: { 201: groupSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'groups.create' }),
  },
  addMember: {
    method: 'POST',
    path: '/groups/:id/members',
    summary: 'Add an account to a group: unlocks what the group grants',
    description:
      'Idempotent: 201 when the account was added, 200 when it already was a member (safe for webhook retries).',
    pathParams: idParamsSchema,
    body: addGroupMemberBodySchema,
    responses: { 200: groupMembershipSchema, 201: groupMembershipSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'groups.members.write' }),
  },
  removeMember: {
    method: 'DELETE',
    path: '/groups/:id/members/:account_id',
    summary: 'Remove an account from a group',
    description:
      'Idempotent: 204 whether or not the account was a member; 404 when the group or account does not exist.',
    pathParams: groupMemberParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'groups.members.write' }),
  },
  update: {
    method: 'PATCH',
    path: '/groups/:id',
    summary: "Change a group's description or permissions",
    description:
      'Nobody makes a group unlock a management action they cannot do, nor changes one that already does (`403 forbidden`). More permissions than the tenant allows is `400 limit_exceeded`. The effective policy gets a new version.',
    pathParams: idParamsSchema,
    body: updateGroupBodySchema,
    responses: { 200: groupSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'groups.update' }),
  },
  delete: {
    method: 'DELETE',
    path: '/groups/:id',
    summary: 'Delete a group and its memberships',
    description:
      "Built-in groups (`verified`) cannot be deleted (`409 built_in`). Every member's grant version is bumped, so tokens and the revocation feed learn of it.",
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'groups.delete' }),
  },
  members: {
    method: 'GET',
    path: '/groups/:id/members',
    summary: "A group's members, oldest membership first",
    pathParams: idParamsSchema,
    query: paginationQuerySchema,
    responses: { 200: paginated(groupMembershipSchema), ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'groups.read' }),
  },
  listForAccount: {
    method: 'GET',
    path: '/directory/accounts/:id/groups',
    summary: 'The groups an account belongs to',
    description: 'Anyone may list their own groups; other accounts need `accounts.read`.',
    pathParams: idParamsSchema,
    responses: { 200: listOf(groupSchema), ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key' }),
  },
});
