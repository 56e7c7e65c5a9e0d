import { refusalError } from '@enforcer/core';
import { tenantRecordOf } from '../../../../entities/tenants.js';
import type { SignInMethod } from '../method.js';

/**
 * `passkey`: the core's method (server/core/src/passkeys/method.ts) in the login's transaction, its
 * refusal raised as `AppError`. An adapter until the login flow itself is the core's.
 */
export const passkeyMethod = {
  id: 'passkey',
  amr: ['hwk'],
  async authenticate({ em, services, client, tenant }, body) {
    const result = await services.passkeySignIn.authenticate(
      {
        repos: services.uow.within(em),
        tenant: tenantRecordOf(tenant),
        client: { ip: client.ip ?? null, userAgent: client.userAgent ?? null },
      },
      body,
    );
    if (result.ok) return result;
    return { ok: false, error: refusalError(result), reason: result.reason };
  },
} satisfies SignInMethod<'passkey'>;
