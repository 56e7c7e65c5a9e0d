import { AppError } from '../errors.js';
import { authSettingsOf } from '../tenants/auth-settings.js';
import type { TenantRecord } from '../tenants/ports.js';

/**
 * May the tenant text this E.164 number? Yes unless its `auth_settings.phone.allowed_calling_codes` is set
 * and the number starts with none of them (`403 sms_destination_not_allowed`). A code that only proves a
 * number (no tenant) has no tenant to ask: the deployment-wide send limits still cap it. The answer depends
 * on the number alone, never on whether anyone holds it, so it reveals nothing about accounts.
 */
export function assertSmsDestinationAllowed(tenant: TenantRecord | null, phone: string): void {
  if (!tenant) return;
  const allowed = authSettingsOf(tenant.authSettings).phone?.allowed_calling_codes;
  if (!allowed || allowed.some((prefix) => phone.startsWith(prefix))) return;
  throw new AppError(
    'sms_destination_not_allowed',
    'This app does not send text messages to numbers in that country',
  );
}
