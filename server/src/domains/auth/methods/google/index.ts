import type { GoogleIdTokenVerifier } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ITenant } from '../../../../entities/tenants.js';
import { AppError } from '../../../../lib/errors.js';
import type { ChallengeStore } from '../../challenges/challenge-store.js';
import type { Authentication, SignInMethod } from '../method.js';
import { trySettingsFor } from '../settings.js';

/**
 * `google`: a Google ID token (from Google Identity Services, One Tap or a native SDK) for one of the
 * tenant's client ids, with the nonce the client put in its request. The person is found by Google's
 * issuer + subject; each nonce (hence each token) is accepted once.
 */
export const googleMethod = {
  id: 'google',
  amr: ['google'],
  authenticate: (ctx, body) => proveGoogle(ctx.em, ctx.services, ctx.tenant, body),
} satisfies SignInMethod<'google'>;

/** Proves a Google identity for `tenant` (login and linking). Spends the nonce on success. */
export async function proveGoogle(
  em: EntityManager,
  services: { challenges: ChallengeStore; google: GoogleIdTokenVerifier },
  tenant: ITenant,
  input: { token: string; nonce: string },
): Promise<Authentication> {
  const settings = trySettingsFor(tenant, 'google');
  if (!settings.ok) return { ok: false, error: settings.error, reason: 'not_configured' };
  const check = await services.google.verify({
    token: input.token,
    settings: settings.settings,
    nonce: input.nonce,
    recordNonce: (nonce, expiresAt) =>
      services.challenges.recordOnce(em, nonce, { purpose: 'google_nonce', tenantId: null, expiresAt }),
  });
  if (!check.ok) {
    return {
      ok: false,
      error: new AppError(check.code, check.detail, check.cause === undefined ? {} : { cause: check.cause }),
      reason: check.reason,
    };
  }
  return { ok: true, identity: check.value };
}
