import { unlockAccountResponseSchema } from '../auth/throttle';
import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, paginated } from '../common/schemas';
import { impersonationRoutes } from '../impersonation/contract';
import { accountSessionRoutes } from '../sessions/contract';
import { provisionAccountBodySchema, provisionAccountHeaders, provisioningSchema } from './provisioning';
import {
  accountRoleParamsSchema,
  accountSchema,
  addAccountRoleBodySchema,
  listAccountsQuerySchema,
  lockAccountBodySchema,
  reasonBodySchema,
  resetAccountMfaResponseSchema,
  setAccountActiveBodySchema,
  setAccountRoleBodySchema,
  updateAccountBodySchema,
} from './schemas';

const meta = routeMeta('Accounts');

export const accountsContract = c.router({
  list: {
    method: 'GET',
    path: '/accounts',
    summary: "List the tenant's accounts the caller may read (filter by email, role, active, status)",
    description:
      'Filtered by the policy engine (`accounts.read` on `account`): a member with the default policy sees only their own account, an admin sees every account. Soft-deleted accounts are left out unless `include=deleted` (or `status=deleted`). `active=false` means any status but `active`.',
    query: listAccountsQuerySchema,
    responses: { 200: paginated(accountSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user_or_api_key' }),
  },
  provision: {
    method: 'POST',
    path: '/accounts',
    summary: 'Provision an account by email and/or phone, with roles and groups (pending until proven)',
    description:
      "Creates a pending provisioning, never a person: the account comes into being when someone proves control of the email or the phone, by accepting the invitation mail (`send_invitation: true`) or by signing in to this tenant with it (a verified email, a proven phone). The answer is the same whether or not anyone already uses that email elsewhere. Roles (default `member`) and groups must exist and be within the caller's reach (`400`, `403`); an email or phone with an account or a pending invite here is `409 conflict`. Expires after 7 days. Idempotent on `Idempotency-Key` (24 hours): the same key and body answer the first answer, the same key with another body is `409 idempotency_key_reused`.",
    headers: provisionAccountHeaders,
    body: provisionAccountBodySchema,
    responses: { 201: provisioningSchema, ...problems(400, 401, 403, 409, 503) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.create' }),
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
  // Account metadata (#14).
  update: {
    method: 'PATCH',
    path: '/accounts/:id',
    summary: "Change an account's public and private metadata",
    description:
      "Each object given is merged into the stored one: a top-level key replaces the stored key (objects are not merged deeper), `null` removes it, keys not given stay. `public_metadata` is readable by the account's user and may feed policy subject attributes (a change bumps the grant version, so the revocation feed shows it); `private_metadata` is for admins only and never leaves the account routes. Each object is at most 8 kB of JSON after the merge (`400 metadata_too_large`) and 5 levels deep. Needs reach over the account's role, as lock does. Answers the account with all three metadata objects.",
    pathParams: idParamsSchema,
    body: updateAccountBodySchema,
    responses: { 200: accountSchema, ...problems(400, 401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.update' }),
  },
  setRole: {
    method: 'PUT',
    path: '/accounts/:id/role',
    summary: "Set an account's role: it replaces all its roles",
    description:
      'The account holds this one role afterwards, whatever it held before. The role must exist in the catalog (`GET /roles`), the caller must hold every permission it grants and reach over every role the account holds now. Leaving the tenant without an active account whose role grants `policy.update` (an owner, with the default policy) is `409 last_admin`.',
    pathParams: idParamsSchema,
    body: setAccountRoleBodySchema,
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.role.update' }),
  },
  addRole: {
    method: 'POST',
    path: '/accounts/:id/roles',
    summary: 'Give an account one more role',
    description:
      "The role must exist in the catalog (`GET /roles`); the caller must hold every permission it grants and reach over every role the account holds now. Idempotent: a role the account holds answers 200 unchanged. More roles than the tenant's `limits.max_roles_per_account` is `400 limit_exceeded`. Bumps the account's grant version (the revocation feed shows it); audited as `account.role.added`.",
    pathParams: idParamsSchema,
    body: addAccountRoleBodySchema,
    responses: { 200: accountSchema, ...problems(400, 401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.role.update' }),
  },
  removeRole: {
    method: 'DELETE',
    path: '/accounts/:id/roles/:role',
    summary: 'Take one role away from an account',
    description:
      'Needs reach over every role the account holds. Idempotent: a role the account does not hold answers 200 unchanged. An account always holds at least one role: removing its last is `409 last_role` (use `PUT /accounts/{id}/role` to replace it). Leaving the tenant without an active account able to manage it is `409 last_admin`. Bumps the grant version; audited as `account.role.removed`.',
    pathParams: accountRoleParamsSchema,
    body: c.noBody(),
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.role.update' }),
  },
  setActive: {
    method: 'PUT',
    path: '/accounts/:id/active',
    summary: 'Activate or deactivate an account',
    description:
      "Kept for compatibility: `active: false` sets `status` to `deactivated`, `active: true` sets a deactivated account back to `active`. A locked, banned or deleted account is `409 status_conflict` (lift those with unlock, unban, restore). Deactivating ends the account's sessions. Deactivating the last active admin is `409 last_admin`.",
    pathParams: idParamsSchema,
    body: setAccountActiveBodySchema,
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.active.update' }),
  },
  unlock: {
    method: 'POST',
    path: '/accounts/:id/unlock',
    summary: "Lift an account's sign-in lockout and delays, and an admin's lock",
    description:
      "Clears the failure count of every identifier the account's person signs in with, and sets an account `locked` by `POST /accounts/{id}/lock` back to `active` (lifting an admin's lock needs reach over the account's role, as locking does). Idempotent: an account that is not locked answers 200 too.",
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: unlockAccountResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.unlock' }),
  },
  // Account lifecycle (#14): lock, ban, soft delete, second-factor reset.
  lock: {
    method: 'POST',
    path: '/accounts/:id/lock',
    summary: 'Lock an account (sign-in refused with `account_locked`), for a while or until unlocked',
    description:
      'Ends every session of the account and bumps its grant version (the revocation feed shows it). With `until` (in the future) the lock lapses by itself at that time: the next sign-in after it lifts it. Locking yourself is `403 self_target`, an account whose role you cannot grant `403 forbidden`, the last active manager `409 last_admin`; a banned, deactivated or deleted account `409 status_conflict`. Locking a locked account replaces its reason and `until`.',
    pathParams: idParamsSchema,
    body: lockAccountBodySchema,
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.lock' }),
  },
  ban: {
    method: 'POST',
    path: '/accounts/:id/ban',
    summary: 'Ban an account (sign-in refused with `account_banned`) until unbanned',
    description:
      'Ends every session of the account and bumps its grant version. An active, locked or deactivated account can be banned; a deleted one is `409 status_conflict`; a banned one answers 200 unchanged. Same refusals as lock (`self_target`, `forbidden`, `last_admin`).',
    pathParams: idParamsSchema,
    body: reasonBodySchema,
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.ban' }),
  },
  unban: {
    method: 'POST',
    path: '/accounts/:id/unban',
    summary: 'Lift a ban: the account is active again',
    description:
      "Idempotent on an active account; any other status but `banned` is `409 status_conflict`. Needs reach over the account's role.",
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.ban' }),
  },
  delete: {
    method: 'DELETE',
    path: '/accounts/:id',
    summary: 'Soft-delete an account',
    description:
      "Status `deleted`: sign-in refused (`account_deleted`), sessions ended, grant version bumped; the data (role, groups, audit) is kept and `POST /accounts/{id}/restore` brings it back. Hidden from `GET /accounts` unless `include=deleted`. Deleting the tenant's last active manager is `409 last_admin`; yourself, `403 self_target`. Idempotent on a deleted account.",
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.delete' }),
  },
  restore: {
    method: 'POST',
    path: '/accounts/:id/restore',
    summary: 'Restore a soft-deleted account (status `active`)',
    description:
      "Idempotent on an active account; any other status but `deleted` is `409 status_conflict`. Needs reach over the account's role.",
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 200: accountSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.delete' }),
  },
  resetMfa: {
    method: 'POST',
    path: '/accounts/:id/mfa/reset',
    summary: "Remove the person's second factor (they lost their device) and end the account's sessions",
    description:
      "Removes the person's authenticator (TOTP) and recovery codes, and ends every session of the account; audited with the reason. Second factors belong to the person, not the account: when the person has an account in another tenant that is not deleted, the factor protects that one too and the reset is `409 mfa_shared`. Passkeys are sign-in methods, not second factors, and stay. Your own account is `403 self_target`.",
    pathParams: idParamsSchema,
    body: reasonBodySchema,
    responses: { 200: resetAccountMfaResponseSchema, ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'accounts.mfa.reset' }),
  },
  // An account's sessions (sessions/contract.ts).
  ...accountSessionRoutes,
  // Impersonation (impersonation/contract.ts).
  ...impersonationRoutes,
});
