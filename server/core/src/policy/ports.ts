import type { TenantPolicy } from './tenant-policy.js';

/**
 * The port to a tenant's effective policy (its stored document merged with its groups), compiled once per
 * version by the store's cache. Reads inside a unit of work see the unit's own writes.
 */
export interface TenantPolicyReader {
  /**
   * The tenant's policy. With `lock`, the tenant row is locked until the unit of work ends: changes to
   * groups and to the policy document are made one writer at a time per tenant, so each bumps the
   * version exactly once. A tenant that does not exist is `404 not_found`.
   */
  forTenant(tenantId: string, options?: { lock?: boolean }): Promise<TenantPolicy>;
}
