import { type ProvisionTenantInput, provisionTenant as provision } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type ITenant, Tenant } from '../../entities/tenants.js';
import { systemClock } from '../../lib/clock.js';
import type { RandomSource } from '../../lib/random.js';
import { PostgresTenantMembers, PostgresTenantStore } from './tenants.js';

export type { ProvisionTenantInput };

/**
 * The core's `provisionTenant` in the caller's entity manager (flushed, not committed), answering the
 * entity: for the sandbox tenant and tests that build tenants directly.
 */
export async function provisionTenant(
  em: EntityManager,
  random: RandomSource,
  input: ProvisionTenantInput,
): Promise<ITenant> {
  const created = await provision(
    { tenants: new PostgresTenantStore(em), members: new PostgresTenantMembers(em, systemClock) },
    random,
    input,
  );
  return em.findOneOrFail(Tenant, created.id);
}
