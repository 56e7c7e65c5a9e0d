import type { AuthProvider, AuthSettings } from '@enforcer/contract';
import { AppError } from '../errors.js';
import { authSettingsOf } from '../tenants/auth-settings.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { ProofRefusal } from './result.js';

type Method = keyof AuthSettings;

const notConfigured = (method: Method) =>
  `This tenant accepts ${method} sign-in but has not configured it (PATCH /tenants/{id} auth_settings.${method})`;

/** `403 provider_not_allowed` unless the tenant accepts `provider` (ceremony starts, linking). */
export function assertAcceptsMethod(
  tenant: Pick<TenantRecord, 'authProviders'>,
  provider: AuthProvider,
): void {
  if (!tenant.authProviders.includes(provider)) {
    throw new AppError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
}

/** The tenant's settings of `method`, or `403 provider_not_configured` as a proof's refusal. */
export function methodSettings<M extends Method>(
  tenant: Pick<TenantRecord, 'authSettings'>,
  method: M,
): { ok: true; value: NonNullable<AuthSettings[M]> } | ProofRefusal {
  const block = authSettingsOf(tenant.authSettings)[method];
  if (!block) {
    return {
      ok: false,
      code: 'provider_not_configured',
      detail: notConfigured(method),
      reason: 'not_configured',
    };
  }
  return { ok: true, value: block as NonNullable<AuthSettings[M]> };
}

/** The same, thrown (`403 provider_not_configured`): for routes that start a ceremony. */
export function requireMethodSettings<M extends Method>(
  tenant: Pick<TenantRecord, 'authSettings'>,
  method: M,
): NonNullable<AuthSettings[M]> {
  const settings = methodSettings(tenant, method);
  if (!settings.ok) throw new AppError(settings.code, settings.detail);
  return settings.value;
}
