import type { AccountContext, AccountGrant, GrantReader } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { grantOf, loadGrant } from '../../domains/tokens/load-grant.js';
import { Account, type IPerson, Person } from '../../entities/accounts.js';
import { ApiKey } from '../../entities/api-keys.js';
import { DeletionRequest } from '../../entities/privacy.js';
import { type ITenant, Tenant, tenantRecordOf } from '../../entities/tenants.js';
import { accountRecord } from './accounts.js';
import { personRecord } from './persons.js';
import { executePrepared } from './prepared.js';
import { deletionRequestRecord } from './privacy.js';

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

  /**
   * One statement (every refresh asks): the account, its person, its tenant, its group names and the
   * person's pending deletion, mapped
   * to entities by the ORM (`em.map`: the same conversions as a find) and then to records as finds do.
   */
  async findContext(accountId: string): Promise<AccountContext | null> {
    const [row] = await executePrepared<
      {
        a: Record<string, unknown>;
        p: Record<string, unknown>;
        t: Record<string, unknown>;
        d: Record<string, unknown> | null;
        groups: string[];
      }
    >(
      this.#em,
      `select row_to_json(a) as "a", row_to_json(p) as "p", row_to_json(t) as "t",
              array(select g."name" from "group_membership" m join "tenant_group" g on g."id" = m."group_id"
                     where m."account_id" = a."id") as "groups",
              (select row_to_json(d) from "deletion_request" d
                where d."person_id" = p."id" and d."status" = 'pending' limit 1) as "d"
         from "account" a join "person" p on p."id" = a."person_id" join "tenant" t on t."id" = a."tenant_id"
        where a."id" = ?`,
      [accountId],
    );
    if (!row) return null;
    const account = this.#em.map(Account, row.a);
    const person = this.#em.map(Person, row.p) as IPerson;
    const tenant = this.#em.map(Tenant, row.t) as ITenant;
    const { account: _entity, ...grant } = grantOf(account, [...row.groups].sort());
    return {
      grant,
      account: accountRecord(account),
      person: personRecord(person),
      tenant: tenantRecordOf(tenant),
      policyVersion: tenant.policyVersion,
      pendingDeletion: row.d ? deletionRequestRecord(this.#em.map(DeletionRequest, row.d)) : null,
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
