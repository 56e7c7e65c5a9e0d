import type { AccountRecord, AccountStore } from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Account, type IAccount } from '../../domains/identity/entities.js';
import { bumpGrantVersion } from '../../domains/identity/load-grant.js';

const accountRecord = (a: IAccount): AccountRecord => ({
  id: a.id,
  tenantId: a.tenant.id,
  personId: a.person.id,
  role: a.role,
  active: a.active,
  createdAt: a.createdAt,
});

/** Accounts, in the unit's transaction (locks are `FOR UPDATE` on the account row). */
export class PostgresAccountStore implements AccountStore {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async find(tenantId: string, accountId: string, options: { lock?: boolean } = {}) {
    const account = await this.#em.findOne(
      Account,
      { id: accountId, tenant: tenantId },
      options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    return account ? accountRecord(account) : null;
  }

  async bumpGrantVersion(accountId: string): Promise<void> {
    bumpGrantVersion(await this.#em.findOneOrFail(Account, accountId));
    await this.#em.flush();
  }
}
