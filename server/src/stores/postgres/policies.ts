import { AppError, type TenantPolicy, type TenantPolicyReader } from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { TenantPolicyService } from '../../domains/policy/tenant-policy.js';
import { Tenant } from '../../domains/tenants/entities.js';

/** Tenants' effective policies through the process-wide compile cache, read in the unit of work's transaction. */
export class PostgresTenantPolicyReader implements TenantPolicyReader {
  readonly #em: EntityManager;
  readonly #policies: TenantPolicyService;

  constructor(em: EntityManager, policies: TenantPolicyService) {
    this.#em = em;
    this.#policies = policies;
  }

  async forTenant(tenantId: string, options: { lock?: boolean } = {}): Promise<TenantPolicy> {
    if (!options.lock) return this.#policies.forTenant(this.#em, tenantId);
    const tenant = await this.#em.findOne(Tenant, tenantId, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    return this.#policies.forTenant(this.#em, tenant);
  }
}
