import type { SiweSettings } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { getAddress, isAddress, recoverMessageAddress } from 'viem';
import { parseSiweMessage } from 'viem/siwe';
import type { Clock } from '../../../../lib/clock.js';
import { AppError } from '../../../../lib/errors.js';
import type { ChallengeStore } from '../../challenges/challenge-store.js';
import type { LinkedIdentity } from '../../strategy.js';

export type SiweCheck =
  | { ok: true; identity: LinkedIdentity }
  | { ok: false; error: AppError; reason: string };

const refused = (reason: string, detail: string): SiweCheck => ({
  ok: false,
  error: new AppError('invalid_credentials', detail),
  reason,
});

/**
 * Checks a signed EIP-4361 message for a tenant, in the caller's transaction:
 * 1. it parses, with the fields a sign-in needs (address, domain, uri, version 1, chain id, nonce, issued at);
 * 2. its nonce is a live nonce of this tenant from `POST /auth/siwe/nonce`, and is spent now (single use:
 *    whatever else is wrong with the message, the nonce does not work again);
 * 3. domain = the tenant's SIWE domain, the uri's origin = the tenant's SIWE uri, the chain id is allowed;
 * 4. it is within its validity window (`Expiration Time` in the future, `Not Before` passed, `Issued At`
 *    not in the future), with the clock tolerance;
 * 5. the signature (EIP-191 personal_sign, externally owned accounts) recovers to the message's address.
 * The identity is the EIP-55 checksummed address.
 */
export async function verifySiweMessage(
  em: EntityManager,
  input: {
    message: string;
    signature: `0x${string}`;
    settings: SiweSettings;
    tenantId: string;
    challenges: ChallengeStore;
    clock: Clock;
    toleranceSeconds: number;
  },
): Promise<SiweCheck> {
  const { settings } = input;
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
  const challenge = await input.challenges.consumeByValue(em, nonce, {
    purpose: 'siwe',
    tenantId: input.tenantId,
  });
  if (!challenge) {
    return {
      ok: false,
      error: new AppError(
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
  const now = input.clock.now().getTime();
  const tolerance = input.toleranceSeconds * 1000;
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
    recovered = await recoverMessageAddress({ message: input.message, signature: input.signature });
  } catch {
    return refused('bad_signature', 'The signature is not a valid signature');
  }
  const expected = getAddress(address);
  if (getAddress(recovered) !== expected) {
    return refused('bad_signature', "The signature is not the message's address's");
  }
  return { ok: true, identity: { provider: 'siwe', subject: expected } };
}
