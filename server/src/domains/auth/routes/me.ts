import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { Account, Person } from '../../identity/entities.js';
import { Tenant } from '../../tenants/entities.js';
import { Session } from '../../tokens/entities.js';
import { authContext, requireUser } from '../context.js';
import { toAccount, toPerson, toTenant } from '../views.js';

/** `GET /auth/me`: the account as it is now (not the token's copy), its person, tenant and session. */
export const me: AppRouteImplementation<typeof contract.auth.me> = async ({ request }) => {
  const user = requireUser(request);
  const { em } = authContext(request);
  const person = await em.findOneOrFail(Person, user.personId);
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  const session = await em.findOneOrFail(Session, user.sessionId);
  const account = await em.findOneOrFail(Account, user.accountId);
  const { grant } = user;
  return {
    status: 200,
    body: {
      account: toAccount(account, person.email ?? null, grant.groups),
      person: toPerson(person),
      tenant: toTenant(tenant),
      roles: grant.roles,
      groups: grant.groups,
      session: { id: session.id, amr: session.amr, expires_at: session.absoluteExpiresAt.toISOString() },
    },
  };
};
