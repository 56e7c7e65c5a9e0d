import type { MikroORM } from '@mikro-orm/postgresql';
import { type ITenant, Tenant } from './entities/tenants.js';
import type { RandomSource } from './lib/random.js';
import { provisionTenant } from './stores/postgres/provision-tenant.js';

/** The name of the development sandbox tenant (the seed's "sandbox tenant code"). */
export const SANDBOX_TENANT_NAME = 'Enforcer Sandbox';

/**
 * Development only: a tenant anyone can sign up to with an email code, so the quickstart's
 * first calls work on a fresh start. Created once; later starts find the same one.
 */
export async function ensureSandboxTenant(orm: MikroORM, random: RandomSource): Promise<ITenant> {
  const em = orm.em.fork();
  const existing = await em.findOne(Tenant, { name: SANDBOX_TENANT_NAME }, { orderBy: { createdAt: 'asc' } });
  if (existing) return existing;
  return em.transactional((tx) =>
    provisionTenant(tx, random, {
      name: SANDBOX_TENANT_NAME,
      authProviders: ['email_otp'],
      allowSignup: true,
    }),
  );
}
