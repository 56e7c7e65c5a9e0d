import type { AccountContext, AccountGrant, GrantReader } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { grantOf, groupNamesOf, loadGrant } from '../../domains/tokens/load-grant.js';
import { Account, type IPerson } from '../../entities/accounts.js';
import { ApiKey } from '../../entities/api-keys.js';
import { type ITenant, tenantRecordOf } from '../../entities/tenants.js';
import { accountRecord } from './accounts.js';
import { personRecord } from './persons.js';

/** Accounts' grants (role, group names, status) and the roles held in a tenant, read in the unit's transaction. */
export class PostgresGrantReader implements GrantReader {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async find(accountId: string): Promise<AccountGrant | null> {
    const grant = await loadGrant(this.#em, accountId);
    if (!grant) return null;
    const { account: _entity, ...rest } = grant;
    return rest;
  }

  /** Two queries: the account joined with its person and tenant, then its groups' names. */
  async findContext(accountId: string): Promise<AccountContext | null> {
    const account = await this.#em.findOne(Account, accountId, {
      populate: ['person', 'tenant'],
      strategy: 'joined',
    });
    if (!account) return null;
    const { account: _entity, ...grant } = grantOf(account, await groupNamesOf(this.#em, accountId));
    const person = account.person as IPerson;
    const tenant = account.tenant as ITenant;
    return {
      grant,
      account: accountRecord(account),
      person: personRecord(person),
      tenant: tenantRecordOf(tenant),
      policyVersion: tenant.policyVersion,
    };
  }

  async rolesHeld(tenantId: string) {
    const accounts = await this.#em.find(Account, { tenant: tenantId }, { fields: ['roles', 'active'] });
    const keys = await this.#em.find(ApiKey, { tenant: tenantId, revokedAt: null }, { fields: ['role'] });
    return {
      byActiveAccounts: [...new Set(accounts.filter((a) => a.active).flatMap((a) => a.roles))],
      byAnyone: [...new Set([...accounts.flatMap((a) => a.roles), ...keys.map((k) => k.role)])],
    };
  }
}
