import { defaultPolicy, mergeGroups } from '@enforcer/contract';
import { compile, type PolicyDocument } from '@enforcer/contract/policy';
import { policyEtag, type TenantPolicy } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Group } from '../../entities/groups.js';
import { type ITenant, Tenant } from '../../entities/tenants.js';
import { AppError } from '../../lib/errors.js';

// The type is the core's: one definition for the server, the mock and the services.
export type { TenantPolicy };
export { mergeGroups };

/**
 * Compiles each tenant's policy once per version and keeps it. The version lives in the
 * tenant row, so every server process notices a change on its next request. Reads inside a transaction
 * compile without keeping the result (see `forTenant`).
 */
export class TenantPolicyService {
  readonly #cache = new Map<string, TenantPolicy>();
  readonly #maxTenants: number;

  constructor(options: { maxTenants?: number } = {}) {
    this.#maxTenants = options.maxTenants ?? 1000;
  }

  async forTenant(em: EntityManager, tenantOrId: ITenant | string): Promise<TenantPolicy> {
    const tenant =
      typeof tenantOrId === 'string' ? await em.findOne(Tenant, tenantOrId, { refresh: true }) : tenantOrId;
    if (!tenant) throw new AppError('not_found', 'no such tenant');
    const cached = this.#cache.get(tenant.id);
    if (cached && cached.version === tenant.policyVersion) return cached;

    const groups = await em.find(Group, { tenant: tenant.id }, { orderBy: { name: 'asc' } });
    const stored = (tenant.policy as PolicyDocument | null) ?? defaultPolicy();
    const effective = mergeGroups(stored, groups);
    const policy: TenantPolicy = {
      tenantId: tenant.id,
      version: tenant.policyVersion,
      stored,
      effective,
      etag: await policyEtag(effective),
      // A stored document was validated when it was written; a failure here is a bug, not bad input.
      compiled: compile(effective),
    };
    // Only what is committed is cached: a transaction's own version may still roll back, and the next
    // write would then take the same version number with another document (a stale compile served for it).
    if (em.isInTransaction()) return policy;
    if (this.#cache.size >= this.#maxTenants) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(tenant.id, policy);
    return policy;
  }

  /**
   * The policy for an authenticated caller, whose authentication query already read the
   * tenant's policy version: no query at all while that version is compiled and cached.
   */
  async forCaller(
    em: EntityManager | (() => EntityManager),
    caller: { tenantId: string; policyVersion?: number | undefined },
  ): Promise<TenantPolicy> {
    const cached = this.#cache.get(caller.tenantId);
    if (cached && cached.version === caller.policyVersion) return cached;
    return this.forTenant(typeof em === 'function' ? em() : em, caller.tenantId);
  }

  /** Forget a tenant's compiled policy (tests; a process that changed it knows the new version anyway). */
  invalidate(tenantId: string): void {
    this.#cache.delete(tenantId);
  }
}
