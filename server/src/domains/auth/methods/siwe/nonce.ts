import type { SiweNonceBody, SiweNonceResponse } from '@enforcer/contract';
import { SIWE_NONCE_TTL_SECONDS } from '@enforcer/core';
import { type AuthRequestContext, tenantByCode } from '../../context.js';
import { assertAcceptsMethod, settingsFor } from '../settings.js';

/** A SIWE nonce works for this long (the core's rule). */
export { SIWE_NONCE_TTL_SECONDS };

/**
 * A SIWE nonce of 256 random bits (64 hex digits: EIP-4361 wants alphanumeric) for
 * one message to the tenant, single use, five minutes. Only its hash is stored. The answer also says
 * what the message must name (domain, URI origin, chain ids).
 */
export async function issueSiweNonce(
  { services, em }: AuthRequestContext,
  body: SiweNonceBody,
): Promise<SiweNonceResponse> {
  const tenant = await tenantByCode(em, body.tenant_code);
  assertAcceptsMethod(tenant, 'siwe');
  const settings = settingsFor(tenant, 'siwe');
  const issued = await em.transactional((tx) =>
    services.challenges.issue(tx, {
      purpose: 'siwe',
      ttlSeconds: SIWE_NONCE_TTL_SECONDS,
      encoding: 'hex',
      tenantId: tenant.id,
    }),
  );
  return {
    nonce: issued.value,
    expires_at: issued.expiresAt.toISOString(),
    domain: settings.domain,
    uri: settings.uri,
    chain_ids: settings.chain_ids,
  };
}
