import { mergeGroups } from '@enforcer/contract';
import { type CompiledPolicy, compile, type PolicyDocument } from '@enforcer/contract/policy';
import { AppError } from '../../errors.js';
import type { TenantPolicyStore } from '../../policy/ports.js';
import { policyEtag, type TenantPolicy } from '../../policy/tenant-policy.js';
import type { MemoryDatabase } from './database.js';

/** A tenant's policy compiled at one version; the ETag is computed (WebCrypto: async) when first asked. */
export interface MemoryCompiledPolicy {
  tenantId: string;
  version: number;
  stored: PolicyDocument;
  effective: PolicyDocument;
  compiled: CompiledPolicy;
  etag: Promise<string> | null;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Each tenant's effective policy, compiled once per policy version (the server's TenantPolicyService).
 * Not a table: the memory database forgets it when a unit of work rolls back, since the version it is
 * keyed by goes back too and would be reused for another document.
 */
export class MemoryPolicyCache {
  readonly #cache = new Map<string, MemoryCompiledPolicy>();

  /** The tenant's policy as it is now (`404 not_found` for no such tenant). */
  of(db: MemoryDatabase, tenantId: string): MemoryCompiledPolicy {
    const tenant = db.tables.tenants.get(tenantId);
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    const cached = this.#cache.get(tenantId);
    if (cached && cached.version === tenant.policyVersion) return cached;
    const groups = [...db.tables.groups.values()].filter((g) => g.tenantId === tenantId).sort(byName);
    const stored = structuredClone(tenant.policy);
    const effective = mergeGroups(stored, groups);
    const policy: MemoryCompiledPolicy = {
      tenantId,
      version: tenant.policyVersion,
      stored,
      effective,
      compiled: compile(effective),
      etag: null,
    };
    this.#cache.set(tenantId, policy);
    return policy;
  }

  async policy(db: MemoryDatabase, tenantId: string): Promise<TenantPolicy> {
    const { etag, ...policy } = this.of(db, tenantId);
    return { ...policy, etag: await this.etag(policy) };
  }

  /** The ETag of a compiled policy (computed once). */
  etag(policy: MemoryCompiledPolicy | Omit<MemoryCompiledPolicy, 'etag'>): Promise<string> {
    const entry = this.#cache.get(policy.tenantId);
    if (entry && entry.version === policy.version) {
      entry.etag ??= policyEtag(entry.effective);
      return entry.etag;
    }
    return policyEtag(policy.effective);
  }

  clear(): void {
    this.#cache.clear();
  }
}

/** Tenants' policies: the document and version in the `tenants` table, compiled through the cache. */
export class MemoryTenantPolicyStore implements TenantPolicyStore {
  readonly #db: MemoryDatabase;
  readonly #cache: MemoryPolicyCache;

  constructor(db: MemoryDatabase, cache: MemoryPolicyCache) {
    this.#db = db;
    this.#cache = cache;
  }

  // Locks and a caller's version need nothing here: units of work run one at a time, and a read is free.
  forTenant(tenantId: string): Promise<TenantPolicy> {
    return this.#cache.policy(this.#db, tenantId);
  }

  async groupGrants(tenantId: string) {
    return [...this.#db.tables.groups.values()]
      .filter((g) => g.tenantId === tenantId)
      .sort(byName)
      .map((g) => ({ name: g.name, permissions: [...g.permissions], description: g.description }));
  }

  async updatedAt(tenantId: string): Promise<Date> {
    return new Date(this.#tenant(tenantId).policyUpdatedAt);
  }

  async bumpVersion(tenantId: string): Promise<void> {
    this.#tenant(tenantId).policyVersion += 1;
  }

  async write(tenantId: string, document: PolicyDocument): Promise<void> {
    const tenant = this.#tenant(tenantId);
    tenant.policy = structuredClone(document);
    tenant.policyUpdatedAt = this.#db.now().getTime();
    tenant.policyVersion += 1;
  }

  #tenant(tenantId: string) {
    const tenant = this.#db.tables.tenants.get(tenantId);
    if (!tenant) throw new AppError('not_found', 'No such tenant');
    return tenant;
  }
}
