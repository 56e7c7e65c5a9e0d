import {
  type AuthProvider,
  authProviderIds,
  defaultPolicy,
  type Tenant,
  tenantLimitsOf,
  verifiedGroup,
} from '@enforcer/contract';
import type { RandomSource } from '../platform.js';
import type { Repositories } from '../store.js';
import { authSettingsOf } from './auth-settings.js';
import { generateTenantCode } from './codes.js';
import type { NewTenant, TenantRecord } from './ports.js';

export interface ProvisionTenantInput {
  name: string;
  /** A fixed code (seeding, tests); default: a fresh random one. */
  code?: string;
  logoUrl?: string | null;
  theme?: Record<string, string>;
  authProviders?: string[];
  allowSignup?: boolean;
}

/** The groups every tenant is made with (built in: they cannot be deleted). */
export const builtInGroups: readonly { name: string; description: string }[] = [
  { name: verifiedGroup, description: 'Passed identity verification (KYC)' },
];

/** A new tenant's row with this code: the defaults (email codes, open sign-up, the default policy). */
export const newTenant = (code: string, input: ProvisionTenantInput): NewTenant => ({
  code,
  name: input.name,
  logoUrl: input.logoUrl ?? null,
  theme: input.theme ?? {},
  authProviders: input.authProviders ?? ['email_otp'],
  allowSignup: input.allowSignup ?? true,
  policy: defaultPolicy(),
});

/**
 * A new tenant, ready to use: a unique code, the default policy (built-in roles owner, admin and member)
 * and the `verified` gating group. Written in the caller's unit of work, so creating the tenant and its
 * first owner commits together or not at all.
 */
export async function provisionTenant(
  repos: Pick<Repositories, 'tenants' | 'members'>,
  random: RandomSource,
  input: ProvisionTenantInput,
): Promise<TenantRecord> {
  let code = input.code;
  if (code === undefined) {
    // 60-bit codes practically never collide; checking keeps a collision from becoming an error.
    code = generateTenantCode(random);
    while (await repos.tenants.findByCode(code)) code = generateTenantCode(random);
  }
  const tenant = await repos.tenants.create(newTenant(code, input));
  for (const group of builtInGroups) await repos.members.addBuiltInGroup(tenant.id, group);
  return tenant;
}

const knownProvider = (id: string): id is AuthProvider => (authProviderIds as readonly string[]).includes(id);

/** The contract's view of a tenant (providers the contract no longer knows are left out). */
export const tenantView = (tenant: TenantRecord): Tenant => ({
  id: tenant.id,
  code: tenant.code,
  name: tenant.name,
  logo_url: tenant.logoUrl,
  theme: Object.fromEntries(
    Object.entries(tenant.theme).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  ),
  auth_providers: tenant.authProviders.filter(knownProvider),
  allow_signup: tenant.allowSignup,
  auth_settings: authSettingsOf(tenant.authSettings),
  limits: tenantLimitsOf(tenant.limits),
  allowed_origins: [...tenant.allowedOrigins],
  created_at: tenant.createdAt.toISOString(),
});
