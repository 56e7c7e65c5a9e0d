import type { AuthProvider, AuthSettings } from '@enforcer/contract';
import { authSettingsOf as coreAuthSettingsOf } from '@enforcer/core';
import type { ITenant } from '../../../entities/tenants.js';
import { AppError } from '../../../lib/errors.js';

type Method = keyof AuthSettings;

/**
 * The tenant's sign-in method settings (`tenant.auth_settings`): the core's reading (a block that no longer
 * parses is left out, as if unconfigured).
 */
export const authSettingsOf = (tenant: Pick<ITenant, 'authSettings'>): AuthSettings =>
  coreAuthSettingsOf(tenant.authSettings);

/** `403 provider_not_allowed` unless the tenant accepts `provider` (ceremony starts, linking). */
export function assertAcceptsMethod(tenant: Pick<ITenant, 'authProviders'>, provider: AuthProvider): void {
  if (!tenant.authProviders.includes(provider)) {
    throw new AppError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
}

/** The settings of `method`, or `403 provider_not_configured`. */
export function settingsFor<M extends Method>(
  tenant: Pick<ITenant, 'authSettings'>,
  method: M,
): NonNullable<AuthSettings[M]> {
  const block = authSettingsOf(tenant)[method];
  if (!block) {
    throw new AppError(
      'provider_not_configured',
      `This tenant accepts ${method} sign-in but has not configured it (PATCH /tenants/{id} auth_settings.${method})`,
    );
  }
  return block as NonNullable<AuthSettings[M]>;
}

/** The same as `settingsFor`, as a value or a refusal (for sign-in methods, which return failures). */
export function trySettingsFor<M extends Method>(
  tenant: Pick<ITenant, 'authSettings'>,
  method: M,
): { ok: true; settings: NonNullable<AuthSettings[M]> } | { ok: false; error: AppError } {
  try {
    return { ok: true, settings: settingsFor(tenant, method) };
  } catch (error) {
    return { ok: false, error: error as AppError };
  }
}
