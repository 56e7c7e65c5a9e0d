import type { TenantStatus } from '@enforcer/contract';
import { AppError } from '../errors.js';

/**
 * A tenant the operator suspended lets nothing in: no sign-in, refresh, API key or access token
 * (`403 tenant_suspended`). Written once, asked wherever a tenant's credential is used: the server's and
 * the mock's authentication, `SessionTokens` (sign-in and refresh), the API keys' rules.
 */
export function tenantRefusal(tenant: { status?: TenantStatus | null } | null | undefined): AppError | null {
  if (!tenant || (tenant.status ?? 'active') === 'active') return null;
  return new AppError(
    'tenant_suspended',
    'This tenant has been suspended by the operator of this deployment',
  );
}

export function assertTenantActive(tenant: { status?: TenantStatus | null } | null | undefined): void {
  const refusal = tenantRefusal(tenant);
  if (refusal) throw refusal;
}
