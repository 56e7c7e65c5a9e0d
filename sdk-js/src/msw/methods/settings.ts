import type { AuthProvider, AuthSettings } from '@enforcer/contract';
import { authSettingsOf as coreAuthSettingsOf } from '@enforcer/core';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';

/** The tenant's sign-in method settings (`PATCH /tenants/{id}` auth_settings), read by the core's rule. */
export const authSettingsOf = (store: MockStore, tenantId: string): AuthSettings =>
  coreAuthSettingsOf(store.tenants.get(tenantId)?.authSettings);

/** The settings of `method`, or `403 provider_not_configured`. */
export function settingsFor<M extends keyof AuthSettings>(
  store: MockStore,
  tenant: TenantRow,
  method: M,
): NonNullable<AuthSettings[M]> {
  const block = authSettingsOf(store, tenant.id)[method];
  if (!block) {
    throw new MockError(
      'provider_not_configured',
      `This tenant accepts ${method} sign-in but has not configured it (PATCH /tenants/{id} auth_settings.${method})`,
    );
  }
  return block as NonNullable<AuthSettings[M]>;
}

/** The same as `settingsFor`, as a value or a refusal (for strategies, which return failures). */
export function trySettingsFor<M extends keyof AuthSettings>(
  store: MockStore,
  tenant: TenantRow,
  method: M,
): { ok: true; settings: NonNullable<AuthSettings[M]> } | { ok: false; reason: string; error: MockError } {
  try {
    return { ok: true, settings: settingsFor(store, tenant, method) };
  } catch (error) {
    return { ok: false, reason: 'not_configured', error: error as MockError };
  }
}

/** `403 provider_not_allowed` unless the tenant accepts `provider`. */
export function assertAcceptsMethod(tenant: TenantRow, provider: AuthProvider): void {
  if (!tenant.authProviders.includes(provider)) {
    throw new MockError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
}

export const unsupportedMethod = (what: string) =>
  new MockError('provider_not_configured', `The Enforcer mock does not implement ${what}`);
