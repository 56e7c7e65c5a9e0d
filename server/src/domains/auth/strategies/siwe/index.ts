import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../../../services.js';
import type { ITenant } from '../../../tenants/entities.js';
import { methodKit } from '../../methods/kit.js';
import { trySettingsFor } from '../../methods/settings.js';
import type { Authentication, LoginStrategy } from '../../strategy.js';
import { verifySiweMessage } from './verify-message.js';

/**
 * `siwe`: Sign-In with Ethereum (EIP-4361). A nonce from `POST /auth/siwe/nonce`, a message the wallet
 * signed with it, checked against the tenant's SIWE settings (`verify-message.ts`). The person is found by
 * the checksummed address.
 */
export const siweStrategy = {
  id: 'siwe',
  amr: ['swk'],
  authenticate: (ctx, body) => proveSiwe(ctx.em, ctx.services, ctx.tenant, body),
} satisfies LoginStrategy<'siwe'>;

/** Proves a wallet for `tenant` (login and linking). Spends the nonce whatever the outcome. */
export async function proveSiwe(
  em: EntityManager,
  services: Services,
  tenant: ITenant,
  input: { message: string; signature: string },
): Promise<Authentication> {
  const settings = trySettingsFor(tenant, 'siwe');
  if (!settings.ok) return { ok: false, error: settings.error, reason: 'not_configured' };
  const kit = methodKit(services);
  return verifySiweMessage(em, {
    message: input.message,
    signature: input.signature as `0x${string}`,
    settings: settings.settings,
    tenantId: tenant.id,
    challenges: kit.challenges,
    clock: services.clock,
    toleranceSeconds: kit.toleranceSeconds,
  });
}
