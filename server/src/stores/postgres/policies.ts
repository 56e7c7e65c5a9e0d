import type { PolicyDocument } from '@enforcer/contract/policy';
import { AppError, policyEtag, type TenantPolicy, type TenantPolicyStore } from '@enforcer/core';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { TenantPolicyService } from '../../domains/policy/tenant-policy.js';
import { Group } from '../../entities/groups.js';
import { Tenant } from '../../entities/tenants.js';

/**
 * Tenants' policies: the document in the tenant row, the effective one through the process-wide compile
 * cache (keyed by the tenant's policy version, which every process reads), in the unit's transaction.
 */
export class PostgresTenantPolicyStore implements TenantPolicyStore {
  /** The unit's entity manager; for a read, forked on first use (a cached policy needs none). */
  readonly #em: () => EntityManager;
  readonly #policies: TenantPolicyService;

  constructor(em: EntityManager | (() => EntityManager), policies: TenantPolicyService) {
    this.#em = typeof em === 'function' ? em : () => em;
    this.#policies = policies;
  }

  async forTenant(
    tenantId: string,
    options: { lock?: boolean; version?: number } = {},
  ): Promise<TenantPolicy> {
    if (options.version !== undefined && !options.lock) {
      return this.#policies.forCaller(this.#em, { tenantId, policyVersion: options.version });
    }
    if (!options.lock) return this.#policies.forTenant(this.#em(), tenantId);
    const tenant = await this.#em().findOne(Tenant, tenantId, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    return this.#policies.forTenant(this.#em(), tenant);
  }

  async groupGrants(tenantId: string) {
    const groups = await this.#em().find(Group, { tenant: tenantId }, { orderBy: { name: 'asc' } });
    return groups.map((g) => ({
      name: g.name,
      permissions: g.permissions,
      description: g.description ?? null,
    }));
  }

  async updatedAt(tenantId: string): Promise<Date> {
    return (await this.#tenant(tenantId)).updatedAt;
  }

  async bumpVersion(tenantId: string): Promise<void> {
    (await this.#tenant(tenantId)).policyVersion += 1;
    await this.#em().flush();
  }

  async write(tenantId: string, document: PolicyDocument): Promise<void> {
    const tenant = await this.#tenant(tenantId);
    tenant.policy = document as unknown as Record<string, unknown>;
    tenant.policyEtag = await policyEtag(document);
    tenant.policyVersion += 1;
    await this.#em().flush();
  }

  async #tenant(tenantId: string) {
    const tenant = await this.#em().findOne(Tenant, tenantId);
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    return tenant;
  }
}
