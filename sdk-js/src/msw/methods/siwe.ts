import { SIWE_NONCE_TTL_SECONDS, verifySiweMessage } from '@enforcer/core';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { trySettingsFor } from './settings';
import type { Authentication } from './sign-in';

export { SIWE_NONCE_TTL_SECONDS };

/** 256 random bits as 64 hex digits (EIP-4361 wants alphanumeric), as the server's nonces. */
export function issueSiweNonce(store: MockStore, tenantId: string): { nonce: string; expiresAt: number } {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const nonce = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  const expiresAt = store.now() + SIWE_NONCE_TTL_SECONDS * 1000;
  store.siweNonces.set(nonce, { tenantId, expiresAt });
  return { nonce, expiresAt };
}

/**
 * The core's `verifySiweMessage`, with the mock's nonces: a nonce is spent whatever else is wrong with the
 * message, except that another tenant's nonce is left alone.
 */
export async function verifySiwe(
  store: MockStore,
  tenant: TenantRow,
  input: { message: string; signature: string },
  toleranceSeconds: number,
): Promise<Authentication> {
  const configured = trySettingsFor(store, tenant, 'siwe');
  if (!configured.ok) return configured;
  const checked = await verifySiweMessage({
    message: input.message,
    signature: input.signature,
    settings: configured.settings,
    consumeNonce: (nonce) => {
      const challenge = store.siweNonces.get(nonce);
      if (!challenge || challenge.tenantId !== tenant.id) return false;
      store.siweNonces.delete(nonce);
      return challenge.expiresAt > store.now();
    },
    clock: { now: () => new Date(store.now()) },
    toleranceSeconds,
  });
  if (!checked.ok) {
    return { ok: false, error: new MockError(checked.code, checked.detail), reason: checked.reason };
  }
  return { ok: true, identity: checked.value };
}
