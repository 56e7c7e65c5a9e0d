import { unlockAccountResponseSchema } from '../auth/throttle';
import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated } from '../common/schemas';
import { accountSessionRoutes } from '../sessions/contract';
import {
  accountSchema,
  listAccountsQuerySchema,
  setAccountActiveBodySchema,
  setAccountRoleBodySchema,
} from './schemas';

const meta = routeMeta('Accounts');

export const accountsContract = c.router({
  list: {
    method: 'GET',
    path: '/accounts',
    summary: "List the tenant's accounts the caller may read (filter by email, role, active)",
    description:
      'Filtered by the policy engine (`accounts.read` on `account`): a member with the default policy sees only their own account, an admin sees every account.',
    query: listAccountsQuerySchema,
    responses: { 200: paginated(accountSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key' }),
  },
  get: {
    method: 'GET',
    path: '/accounts/:id',
    summary: 'Get one account',
    description: 'Anyone may read their own account; other accounts need `accounts.read`.',
    pathParams: idParamsSchema,
    responses: { 200: accountSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key' }),
  },
  setRole: {
    method: 'PUT',
    path: '/accounts/:id/role',
    summary: "Set an account's role",
    description:
      'The role must exist in the catalog (`GET /roles`) and the caller must hold every permission it grants. Leaving the tenant without an active account whose role grants `policy.update` (an owner, with the default policy) is `409 last_admin`.',
    pathParams: idParamsSchema,
    body: setAccountRoleBodySchema,
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.role.update' }),
  },
  setActive: {
    method: 'PUT',
    path: '/accounts/:id/active',
    summary: 'Activate or deactivate an account',
    description:
      "Deactivating ends the account's sessions. Deactivating the last active admin is `409 last_admin`.",
    pathParams: idParamsSchema,
    body: setAccountActiveBodySchema,
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.active.update' }),
  },
  unlock: {
    method: 'POST',
    path: '/accounts/:id/unlock',
    summary: "Lift an account's sign-in lockout and delays",
    description:
      'Clears the failure count of the account (its tenant and email). Idempotent: an account that is not locked answers 200 too.',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: unlockAccountResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.unlock' }),
  },
  // An account's sessions (sessions/contract.ts).
  ...accountSessionRoutes,
});
