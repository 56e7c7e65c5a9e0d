import type { contract } from '@enforcer/contract';
import { callerOf, type Handler } from '../api/handlers.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import type { UnitOfWork } from '../store.js';

/**
 * `GET /auth/tenants`: the signed-in person's memberships in every tenant (active or not), oldest first,
 * each with the tenant's public summary; `current` marks the tenant of the caller's token.
 */
export const membershipsHandler =
  (uow: UnitOfWork): Handler<typeof contract.auth.tenants> =>
  async ({ query }, ctx) => {
    const caller = callerOf(ctx);
    if (caller.kind !== 'user')
      throw new AppError('credential_not_allowed', 'This call needs a signed-in user');
    const body = await uow.read(async (repos) => {
      const accounts = await repos.accounts.ofPerson(caller.personId, pageRequest(query));
      const tenants = new Map(
        await Promise.all(
          [...new Set(accounts.map((a) => a.tenantId))].map(
            async (id) => [id, await repos.tenants.find(id)] as const,
          ),
        ),
      );
      return toPage(accounts, query.limit, (account) => {
        const tenant = tenants.get(account.tenantId);
        if (!tenant) throw new Error(`account ${account.id} names a tenant that does not exist`);
        return {
          tenant: { id: tenant.id, code: tenant.code, name: tenant.name, logo_url: tenant.logoUrl },
          account_id: account.id,
          role: account.role,
          active: account.active,
          current: account.tenantId === caller.tenantId,
        };
      });
    });
    return { status: 200, body };
  };
