import type { AccountGrant, GrantReader } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadGrant } from '../../domains/tokens/load-grant.js';
import { Account } from '../../entities/accounts.js';
import { ApiKey } from '../../entities/api-keys.js';

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

  async rolesHeld(tenantId: string) {
    const accounts = await this.#em.find(Account, { tenant: tenantId }, { fields: ['roles', 'active'] });
    const keys = await this.#em.find(ApiKey, { tenant: tenantId, revokedAt: null }, { fields: ['role'] });
    return {
      byActiveAccounts: [...new Set(accounts.filter((a) => a.active).flatMap((a) => a.roles))],
      byAnyone: [...new Set([...accounts.flatMap((a) => a.roles), ...keys.map((k) => k.role)])],
    };
  }
}
