import { builtInRoles, type contract, type Role } from '@enforcer/contract';
import type { PolicyDocument } from '@enforcer/contract/policy';
import { changeAccountRole, replaceRole } from '../accounts/handlers.js';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, type ClientInfo } from '../caller.js';
import { AppError } from '../errors.js';
import type { Position } from '../pagination.js';
import { assertPatternsWithinReach, assertRoleWithinReach, requireRole } from '../policy/grants.js';
import { ifMatchOf, writeTenantPolicy } from '../policy/handlers.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import type { Repositories, UnitOfWork } from '../store.js';

const isBuiltIn = (name: string) => (builtInRoles as readonly string[]).includes(name);

/**
 * The role catalog: the effective policy's roles, built-in ones first (owner, admin, member), then the
 * tenant's own by name (stored documents are jsonb, which does not keep key order).
 */
export function roleCatalog(policy: Pick<TenantPolicy, 'effective'>): Role[] {
  const rank = (name: string) => {
    const i = (builtInRoles as readonly string[]).indexOf(name);
    return i < 0 ? builtInRoles.length : i;
  };
  return Object.entries(policy.effective.roles)
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, role]) => ({
      name,
      permissions: [...role.permissions],
      description: role.description ?? null,
      built_in: rank(name) < builtInRoles.length,
    }));
}

const roleIn = (policy: Pick<TenantPolicy, 'effective'>, name: string): Role =>
  roleCatalog(policy).find((r) => r.name === name)!;

/** The role as the stored document holds it: `404 not_found` when the tenant's policy has no such role. */
function storedRole(policy: TenantPolicy, name: string) {
  const roles = policy.stored.roles;
  if (!Object.hasOwn(roles, name))
    throw new AppError('not_found', `No role "${name}" in this tenant's policy`);
  return roles[name]!;
}

const withRole = (
  document: PolicyDocument,
  name: string,
  grant: { permissions: string[]; description?: string | null | undefined },
): PolicyDocument => ({
  ...document,
  roles: {
    ...document.roles,
    [name]: {
      permissions: grant.permissions,
      ...(grant.description ? { description: grant.description } : {}),
    },
  },
});

/**
 * Moves every account of the tenant holding `from` to `to` (any status; its other roles stay, and one
 * already holding `to` just loses `from`), bumping each one's grant version
 * (tokens and the revocation feed learn of it) and auditing each as `account.role.changed`. How many moved.
 */
async function reassignAccounts(
  repos: Repositories,
  caller: Caller,
  client: ClientInfo,
  from: string,
  to: string,
): Promise<number> {
  const visible = {
    resource_type: 'account',
    tenant: { attribute: 'tenant_id', value: caller.tenantId },
    decision: 'always' as const,
  };
  let moved = 0;
  let after: Position | undefined;
  for (;;) {
    const page = await repos.accounts.list(caller.tenantId, { visible, role: from, after, limit: 100 });
    for (const account of page) {
      await changeAccountRole(repos, caller, client, account, { from, to, via: 'role.deleted' });
    }
    moved += page.length;
    if (page.length < 100) return moved;
    after = page.at(-1);
  }
}

/**
 * The tenant's open invites (neither accepted nor revoked: an expired one may be resent) into `role`; with
 * `to`, each moves to that role first (audited as `invite.role.changed`). How many there are.
 */
async function openInvitesOf(
  repos: Repositories,
  caller: Caller,
  client: ClientInfo,
  role: string,
  to?: string,
): Promise<number> {
  let found = 0;
  let after: Position | undefined;
  for (;;) {
    // `now` only matters to a status filter, and none is asked for.
    const page = await repos.invites.list(caller.tenantId, { after, limit: 100, now: new Date(0) });
    for (const invite of page) {
      if (!invite.roles.includes(role) || invite.acceptedAt || invite.revokedAt) continue;
      found += 1;
      if (to === undefined) continue;
      await repos.invites.update(invite.id, { roles: replaceRole(invite.roles, role, to) });
      repos.audit.record({
        action: 'invite.role.changed',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'invite', id: invite.id },
        ...client,
        details: { from: role, to, via: 'role.deleted' },
      });
    }
    if (page.length < 100) return found;
    after = page.at(-1);
  }
}

/**
 * Roles: the catalog (`GET /roles`) and custom roles written into the tenant's policy document
 * (`POST /roles`, `PATCH`/`DELETE /roles/{name}`), through the policy's one write path (writeTenantPolicy:
 * If-Match, validation, manageability, version bump, `policy.updated`), so `GET /policy` stays the one
 * truth. Nobody writes, changes or deletes a role granting what they do not hold; built-in roles are never
 * deleted; a role held by accounts is deleted only by moving them (`reassign_to`).
 */
export const rolesHandlers = (uow: UnitOfWork): Handlers<typeof contract.roles> => ({
  list: async (_request, ctx) => {
    const { tenantId } = callerOf(ctx);
    const policy = await uow.read((repos) => repos.policies.forTenant(tenantId));
    return { status: 200, body: { data: roleCatalog(policy) } };
  },

  create: async ({ headers, body }, ctx) => {
    const caller = callerOf(ctx);
    const permissions = [...new Set(body.permissions)];
    const { role, etag } = await uow.transaction(async (repos) => {
      const { after } = await writeTenantPolicy(repos, caller, ctx.client, {
        ifMatch: ifMatchOf(headers),
        next: (current) => {
          if (Object.hasOwn(current.stored.roles, body.name)) {
            throw new AppError('conflict', `A role named "${body.name}" already exists`);
          }
          assertPatternsWithinReach(current, caller, permissions, `The role "${body.name}"`);
          return withRole(current.stored, body.name, { permissions, description: body.description });
        },
        details: { via: 'role.created', role: body.name },
      });
      repos.audit.record({
        action: 'role.created',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'role', id: body.name },
        ...ctx.client,
        details: { name: body.name, permissions },
      });
      return { role: roleIn(after, body.name), etag: after.etag };
    });
    return { status: 201, body: role, headers: { etag } };
  },

  update: async ({ params, headers, body }, ctx) => {
    const caller = callerOf(ctx);
    const { role, etag } = await uow.transaction(async (repos) => {
      let from: string[] = [];
      const permissions = body.permissions && [...new Set(body.permissions)];
      const { after, changed } = await writeTenantPolicy(repos, caller, ctx.client, {
        ifMatch: ifMatchOf(headers),
        next: (current) => {
          const existing = storedRole(current, params.name);
          from = existing.permissions;
          // Both what the role grants now and what it would grant: nobody narrows a role above them.
          assertPatternsWithinReach(current, caller, existing.permissions, `The role "${params.name}"`);
          if (permissions) {
            assertPatternsWithinReach(current, caller, permissions, `The role "${params.name}"`);
          }
          return withRole(current.stored, params.name, {
            permissions: permissions ?? existing.permissions,
            description: body.description === undefined ? existing.description : body.description,
          });
        },
        details: { via: 'role.updated', role: params.name },
      });
      if (changed) {
        repos.audit.record({
          action: 'role.updated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'role', id: params.name },
          ...ctx.client,
          details: {
            name: params.name,
            ...(permissions ? { from, to: permissions } : {}),
            ...(body.description !== undefined ? { description_changed: true } : {}),
          },
        });
      }
      return { role: roleIn(after, params.name), etag: after.etag };
    });
    return { status: 200, body: role, headers: { etag } };
  },

  delete: async ({ params, headers, query }, ctx) => {
    const caller = callerOf(ctx);
    const name = params.name;
    const reassignTo = query.reassign_to;
    const etag = await uow.transaction(async (repos) => {
      let moved = 0;
      let invites = 0;
      const { after } = await writeTenantPolicy(repos, caller, ctx.client, {
        ifMatch: ifMatchOf(headers),
        next: (current) => {
          if (isBuiltIn(name)) {
            throw new AppError('built_in', `"${name}" is a built-in role: it cannot be deleted`);
          }
          const existing = storedRole(current, name);
          assertPatternsWithinReach(current, caller, existing.permissions, `The role "${name}"`);
          if (reassignTo !== undefined) {
            if (reassignTo === name) {
              throw new AppError('validation_failed', 'A role cannot be reassigned to itself', {
                errors: [{ path: 'query.reassign_to', message: 'name another role' }],
              });
            }
            requireRole(current, reassignTo, 'query.reassign_to');
            assertRoleWithinReach(current, caller, reassignTo, 'The');
          }
          const { [name]: _deleted, ...roles } = current.stored.roles;
          return { ...current.stored, roles };
        },
        beforeStore: async () => {
          if (reassignTo !== undefined) {
            moved = await reassignAccounts(repos, caller, ctx.client, name, reassignTo);
          }
          // Open invites into the role would make accounts of a role that no longer exists.
          invites = await openInvitesOf(repos, caller, ctx.client, name, reassignTo);
          if (invites > 0 && reassignTo === undefined) {
            throw new AppError(
              'role_in_use',
              `Open invites are for the role "${name}": pass ?reassign_to=<role> to move them, or revoke them`,
            );
          }
          if ((await repos.grants.rolesHeld(caller.tenantId)).byAnyone.includes(name)) {
            throw new AppError(
              'role_in_use',
              reassignTo === undefined
                ? `Accounts or API keys hold the role "${name}": pass ?reassign_to=<role> to move its accounts`
                : `API keys act with the role "${name}": revoke them first`,
            );
          }
        },
        details: { via: 'role.deleted', role: name },
      });
      repos.audit.record({
        action: 'role.deleted',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'role', id: name },
        ...ctx.client,
        details: { name, reassign_to: reassignTo ?? null, accounts_moved: moved, invites_moved: invites },
      });
      return after.etag;
    });
    return { status: 204, body: undefined, headers: { etag } };
  },
});
