import { verifySiweMessage } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ITenant } from '../../../../entities/tenants.js';
import type { Clock } from '../../../../lib/clock.js';
import { AppError } from '../../../../lib/errors.js';
import type { ChallengeStore } from '../../challenges/challenge-store.js';
import type { Authentication, SignInMethod } from '../method.js';
import { trySettingsFor } from '../settings.js';

/**
 * `siwe`: Sign-In with Ethereum (EIP-4361). A nonce from `POST /auth/siwe/nonce`, a message the wallet
 * signed with it, checked against the tenant's SIWE settings (`verifySiweMessage` in `@enforcer/core`). The person is found by
 * the checksummed address.
 */
export const siweMethod = {
  id: 'siwe',
  amr: ['swk'],
  authenticate: (ctx, body) => proveSiwe(ctx.em, ctx.services, ctx.tenant, body),
} satisfies SignInMethod<'siwe'>;

/** Proves a wallet for `tenant` (login and linking). Spends the nonce whatever the outcome. */
export async function proveSiwe(
  em: EntityManager,
  services: { challenges: ChallengeStore; clock: Clock; toleranceSeconds: number },
  tenant: ITenant,
  input: { message: string; signature: string },
): Promise<Authentication> {
  const settings = trySettingsFor(tenant, 'siwe');
  if (!settings.ok) return { ok: false, error: settings.error, reason: 'not_configured' };
  const checked = await verifySiweMessage({
    message: input.message,
    signature: input.signature,
    settings: settings.settings,
    consumeNonce: async (nonce) =>
      (await services.challenges.consumeByValue(em, nonce, { purpose: 'siwe', tenantId: tenant.id })) !==
      null,
    clock: services.clock,
    toleranceSeconds: services.toleranceSeconds,
  });
  if (!checked.ok) {
    return { ok: false, error: new AppError(checked.code, checked.detail), reason: checked.reason };
  }
  return { ok: true, identity: checked.value };
}
