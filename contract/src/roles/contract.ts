import { c, problems, routeMeta } from '../common/route';
import { listOf } from '../common/schemas';
import {
  createRoleBodySchema,
  deleteRoleQuerySchema,
  roleParamsSchema,
  roleSchema,
  roleWriteHeaders,
  updateRoleBodySchema,
} from './schemas';

const meta = routeMeta('Roles');

const writeNote =
  'Edits the tenant policy document (`GET /policy` shows the result): validated, audited and versioned like `PUT /policy`; with `If-Match`, a stale ETag is `412 precondition_failed`; the answer carries the new `ETag`. Nobody writes a role granting what they do not hold (`403 forbidden`).';

export const rolesContract = c.router({
  list: {
    method: 'GET',
    path: '/roles',
    summary: 'The role catalog: built-in roles and those of the tenant policy',
    responses: { 200: listOf(roleSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'roles.read' }),
  },
  create: {
    method: 'POST',
    path: '/roles',
    summary: 'Create a custom role',
    description: `${writeNote} A name already taken is \`409 conflict\`; more permissions than the tenant allows is \`400 limit_exceeded\`.`,
    headers: roleWriteHeaders,
    body: createRoleBodySchema,
    responses: { 201: roleSchema, ...problems(401, 403, 409, 412) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'roles.write' }),
  },
  update: {
    method: 'PATCH',
    path: '/roles/:name',
    summary: "Change a role's description or permissions",
    description: `${writeNote} Built-in roles may be changed too, within the same checks (some role must still be able to manage the tenant).`,
    pathParams: roleParamsSchema,
    headers: roleWriteHeaders,
    body: updateRoleBodySchema,
    responses: { 200: roleSchema, ...problems(401, 403, 404, 409, 412) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'roles.write' }),
  },
  delete: {
    method: 'DELETE',
    path: '/roles/:name',
    summary: 'Delete a custom role',
    description: `${writeNote} Built-in roles cannot be deleted (\`409 built_in\`). A role held by accounts is \`409 role_in_use\` unless \`reassign_to\` names the role they move to (within the caller's reach); one held by an API key stays refused.`,
    pathParams: roleParamsSchema,
    headers: roleWriteHeaders,
    query: deleteRoleQuerySchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404, 409, 412) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'roles.write' }),
  },
});
