import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { trySettingsFor } from './settings';
import type { Authentication } from './sign-in';

/** A SIWE nonce works for this long (the server's SIWE_NONCE_TTL_SECONDS). */
export const SIWE_NONCE_TTL_SECONDS = 300;

/** 256 random bits as 64 hex digits (EIP-4361 wants alphanumeric), as the server's nonces. */
export function issueSiweNonce(store: MockStore, tenantId: string): { nonce: string; expiresAt: number } {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const nonce = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  const expiresAt = store.now() + SIWE_NONCE_TTL_SECONDS * 1000;
  store.siweNonces.set(nonce, { tenantId, expiresAt });
  return { nonce, expiresAt };
}

const refused = (reason: string, detail: string): Authentication => ({
  ok: false,
  error: new MockError('invalid_credentials', detail),
  reason,
});

/**
 * The server's `verifySiweMessage` (server/src/domains/auth/strategies/siwe/verify-message.ts), with
 * viem (loaded on first use: an optional peer dependency of `@enforcer/sdk-js/msw`).
 */
export async function verifySiwe(
  store: MockStore,
  tenant: TenantRow,
  input: { message: string; signature: string },
  toleranceSeconds: number,
): Promise<Authentication> {
  const configured = trySettingsFor(store, tenant, 'siwe');
  if (!configured.ok) return configured;
  const settings = configured.settings;
  const [{ getAddress, isAddress, recoverMessageAddress }, { parseSiweMessage }] = await Promise.all([
    import('viem'),
    import('viem/siwe'),
  ]);
  let fields: ReturnType<typeof parseSiweMessage>;
  try {
    fields = parseSiweMessage(input.message);
  } catch {
    return refused('malformed_message', 'The message is not a Sign-In with Ethereum message');
  }
  const { address, domain, uri, version, chainId, nonce, issuedAt } = fields;
  if (
    !address ||
    !isAddress(address) ||
    !domain ||
    !uri ||
    version !== '1' ||
    !chainId ||
    !nonce ||
    !issuedAt
  ) {
    return refused(
      'malformed_message',
      'The message lacks a field Sign-In with Ethereum requires (address, domain, URI, version 1, chain ID, nonce, issued at)',
    );
  }
  // Spent now, whatever else is wrong with the message.
  const challenge = store.siweNonces.get(nonce);
  store.siweNonces.delete(nonce);
  if (!challenge || challenge.tenantId !== tenant.id || challenge.expiresAt <= store.now()) {
    if (challenge && challenge.tenantId !== tenant.id) store.siweNonces.set(nonce, challenge);
    return {
      ok: false,
      error: new MockError(
        'challenge_invalid',
        'The nonce is unknown, already used or expired: ask for a new one',
      ),
      reason: 'nonce_invalid',
    };
  }
  if (domain.toLowerCase() !== settings.domain) {
    return refused('domain_mismatch', `The message is for ${domain}, not for this tenant's domain`);
  }
  let uriOrigin: string | undefined;
  try {
    uriOrigin = new URL(uri).origin.toLowerCase();
  } catch {
    uriOrigin = undefined;
  }
  if (uriOrigin !== settings.uri)
    return refused('uri_mismatch', "The message's URI is not on this tenant's origin");
  if (!settings.chain_ids.includes(chainId)) {
    return refused('chain_mismatch', `Chain ${chainId} is not one this tenant accepts`);
  }
  const now = store.now();
  const tolerance = toleranceSeconds * 1000;
  if (fields.expirationTime && fields.expirationTime.getTime() <= now - tolerance) {
    return refused('expired', 'The message has expired');
  }
  if (fields.notBefore && fields.notBefore.getTime() > now + tolerance) {
    return refused('not_yet_valid', 'The message is not valid yet');
  }
  if (issuedAt.getTime() > now + tolerance)
    return refused('issued_in_future', 'The message is issued in the future');
  let recovered: string;
  try {
    recovered = await recoverMessageAddress({
      message: input.message,
      signature: input.signature as `0x${string}`,
    });
  } catch {
    return refused('bad_signature', 'The signature is not a valid signature');
  }
  const expected = getAddress(address);
  if (getAddress(recovered) !== expected) {
    return refused('bad_signature', "The signature is not the message's address's");
  }
  return { ok: true, identity: { provider: 'siwe', subject: expected } };
}
