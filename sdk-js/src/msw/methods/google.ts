import type { MockContext } from '../dispatch';
import { unsupportedMethod } from '../routes/auth-methods';
import type { TenantRow } from '../store';
import type { Authentication } from './sign-in';

/** Google ID tokens are not verified by the mock yet: `403 provider_not_configured`. */
export async function verifyGoogleIdToken(
  _ctx: MockContext,
  _tenant: TenantRow,
  _token: string,
  _nonce: string,
): Promise<Authentication> {
  throw unsupportedMethod('Google sign-in');
}
