import { builtInRoles, type contract, type Role } from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import type { UnitOfWork } from '../store.js';

/**
 * The role catalog: the effective policy's roles, built-in ones first (owner, admin, member), then the
 * tenant's own by name (stored documents are jsonb, which does not keep key order).
 */
export function roleCatalog(policy: TenantPolicy): Role[] {
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

/** `GET /roles`. */
export const rolesHandlers = (uow: UnitOfWork): Handlers<typeof contract.roles> => ({
  list: async (_request, ctx) => {
    const { tenantId } = callerOf(ctx);
    const policy = await uow.read((repos) => repos.policies.forTenant(tenantId));
    return { status: 200, body: { data: roleCatalog(policy) } };
  },
});
