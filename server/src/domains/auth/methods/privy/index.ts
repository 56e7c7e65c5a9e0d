import type { PrivyTokenVerifier } from '@enforcer/core';
import type { ITenant } from '../../../../entities/tenants.js';
import { AppError } from '../../../../lib/errors.js';
import type { Authentication, SignInMethod } from '../method.js';
import { trySettingsFor } from '../settings.js';

/**
 * `privy`: a Privy access token of the tenant's Privy app. The person is found by their Privy DID. The
 * same token is also accepted directly as a bearer on user routes (`bearer.ts`).
 */
export const privyMethod = {
  id: 'privy',
  amr: ['privy'],
  authenticate: (ctx, body) => provePrivy(ctx.services, ctx.tenant, body.token),
} satisfies SignInMethod<'privy'>;

/** Proves a Privy identity for `tenant` (login and linking). */
export async function provePrivy(
  services: { privy: PrivyTokenVerifier },
  tenant: ITenant,
  token: string,
): Promise<Authentication> {
  const settings = trySettingsFor(tenant, 'privy');
  if (!settings.ok) return { ok: false, error: settings.error, reason: 'not_configured' };
  const check = await services.privy.verify(token, settings.settings);
  if (!check.ok) {
    return { ok: false, error: new AppError(check.code, check.detail), reason: check.reason };
  }
  return { ok: true, identity: { provider: 'privy', subject: check.value.did } };
}
