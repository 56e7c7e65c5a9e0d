import { magicLinkSignIn, refusalError, webCryptoHashing } from '@enforcer/core';
import { tenantRecordOf } from '../../../../entities/tenants.js';
import { coreClient, type SignInMethod } from '../method.js';

/**
 * `magic_link`: the core's method (server/core/src/magic-links/method.ts) over this transaction. An
 * adapter until the login flow is the core's.
 */
export const magicLinkMethod = {
  id: 'magic_link',
  amr: ['otp'],
  async authenticate(ctx, body) {
    const core = magicLinkSignIn({ clock: ctx.services.clock, hashing: webCryptoHashing });
    const repos = ctx.services.uow.within(ctx.em);
    const result = await core.authenticate(
      { repos, tenant: tenantRecordOf(ctx.tenant), client: coreClient(ctx.client) },
      body,
    );
    return result.ok ? result : { ok: false, error: refusalError(result), reason: result.reason };
  },
} satisfies SignInMethod<'magic_link'>;
