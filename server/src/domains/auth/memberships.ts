import type { MeResponse } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Account, Person } from '../../entities/accounts.js';
import { Session } from '../../entities/sessions.js';
import { Tenant } from '../../entities/tenants.js';
import type { UserPrincipal } from '../../http/principal.js';
import { toAccount, toPerson, toTenant } from './views.js';

/** The caller's account as it is now (not the token's copy), its person, tenant and session. */
export async function describeCaller(em: EntityManager, user: UserPrincipal): Promise<MeResponse> {
  const person = await em.findOneOrFail(Person, user.personId);
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  const session = await em.findOneOrFail(Session, user.sessionId);
  const account = await em.findOneOrFail(Account, user.accountId);
  const { grant } = user;
  return {
    account: toAccount(account, person.email ?? null, grant.groups),
    person: toPerson(person),
    tenant: toTenant(tenant),
    roles: grant.roles,
    groups: grant.groups,
    session: { id: session.id, amr: session.amr, expires_at: session.absoluteExpiresAt.toISOString() },
  };
}
