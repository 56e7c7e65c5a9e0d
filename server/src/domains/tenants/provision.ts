import { defaultPolicy, verifiedGroup } from '@enforcer/contract';
import { policyEtag } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RandomSource } from '../../lib/random.js';
import { Group } from '../groups/entities.js';
import { type ITenant, Tenant } from './entities.js';
import { generateTenantCode } from './tenant-code.js';

export interface ProvisionTenantInput {
  name: string;
  logoUrl?: string | null;
  theme?: Record<string, string>;
  authProviders?: string[];
  allowSignup?: boolean;
}

/**
 * A new tenant, ready to use: a unique code, the default policy (built-in roles owner,
 * admin and member) and the `verified` gating group. Persisted in the caller's unit of
 * work (flushed, not committed), so creating the tenant and its first owner is atomic.
 */
export async function provisionTenant(
  em: EntityManager,
  random: RandomSource,
  input: ProvisionTenantInput,
): Promise<ITenant> {
  const policy = defaultPolicy();
  // 60-bit codes practically never collide; checking keeps a collision from becoming a 500.
  let code = generateTenantCode(random);
  while (await em.count(Tenant, { code })) code = generateTenantCode(random);
  const tenant = em.create(Tenant, {
    code,
    name: input.name,
    logoUrl: input.logoUrl ?? null,
    theme: input.theme ?? {},
    authProviders: input.authProviders ?? ['email_otp'],
    allowSignup: input.allowSignup ?? true,
    policy,
    policyEtag: await policyEtag(policy),
  });
  em.create(Group, {
    tenant,
    name: verifiedGroup,
    description: 'Passed identity verification (KYC)',
    permissions: [],
    builtIn: true,
  });
  await em.flush();
  return tenant;
}
