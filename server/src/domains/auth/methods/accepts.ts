import type { AuthProvider } from '@enforcer/contract';
import { AppError } from '../../../lib/errors.js';
import type { ITenant } from '../../tenants/entities.js';

/** `403 provider_not_allowed` unless the tenant accepts `provider` (ceremony starts, linking). */
export function assertAcceptsMethod(tenant: Pick<ITenant, 'authProviders'>, provider: AuthProvider): void {
  if (!tenant.authProviders.includes(provider)) {
    throw new AppError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
}
