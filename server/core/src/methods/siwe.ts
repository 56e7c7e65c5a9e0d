import type { SiweSettings } from '@enforcer/contract';
import type { Challenges, IssuedChallenge } from '../challenges/challenges.js';
import type { Clock } from '../platform.js';
import type { Repositories } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { Authentication, SignInMethod } from './method.js';
import { type ProofResult, refuseProof } from './result.js';
import { methodSettings } from './settings.js';

/** A SIWE nonce works for this long after `POST /auth/siwe/nonce`. */
export const SIWE_NONCE_TTL_SECONDS = 300;

export interface SiweProofInput {
  message: string;
  signature: string;
  settings: SiweSettings;
  /**
   * Spends the message's nonce (single use) and says whether it was a live nonce of this tenant; called
   * once the message parses, before any other check, so a nonce never works twice whatever else is wrong.
   */
  consumeNonce: (nonce: string) => Promise<boolean> | boolean;
  clock: Clock;
  toleranceSeconds: number;
}

const refused = (reason: string, detail: string) => refuseProof('invalid_credentials', reason, detail);

/**
 * Checks a signed EIP-4361 message for a tenant:
 * 1. it parses, with the fields a sign-in needs (address, domain, uri, version 1, chain id, nonce, issued at);
 * 2. its nonce is live (`consumeNonce`), and spent now whatever else is wrong with the message;
 * 3. domain = the tenant's SIWE domain, the uri's origin = the tenant's SIWE uri, the chain id is allowed;
 * 4. it is within its validity window (`Expiration Time` in the future, `Not Before` passed, `Issued At`
 *    not in the future), with the clock tolerance;
 * 5. the signature (EIP-191 personal_sign, externally owned accounts) recovers to the message's address.
 * The identity is the EIP-55 checksummed address. viem is loaded on first use (an optional peer of the
 * MSW mock).
 */
export async function verifySiweMessage(
  input: SiweProofInput,
): Promise<ProofResult<{ provider: 'siwe'; subject: string }>> {
  const { settings } = input;
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
  if (!(await input.consumeNonce(nonce))) {
    return refuseProof(
      'challenge_invalid',
      'nonce_invalid',
      'The nonce is unknown, already used or expired: ask for a new one',
    );
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
  return { ok: true, value: { provider: 'siwe', subject: expected } };
}

/** What the `siwe` method is built with. */
export interface SiweMethodDeps {
  challenges: Challenges;
  clock: Clock;
  /** Clock tolerance of the message's validity window. */
  toleranceSeconds: number;
}

/**
 * `siwe`: Sign-In with Ethereum (EIP-4361). A nonce from `POST /auth/siwe/nonce` (a challenge of purpose
 * `siwe`), a message the wallet signed with it, checked against the tenant's SIWE settings. The identity is
 * the checksummed address.
 */
export const siweSignIn = (deps: SiweMethodDeps): SignInMethod<'siwe'> => ({
  id: 'siwe',
  amr: ['swk'],
  authenticate: ({ repos, tenant }, body) => proveSiwe(deps, repos, tenant, body),
});

/** Proves a wallet for `tenant` (sign-in and linking). Spends the nonce whatever the outcome. */
export async function proveSiwe(
  deps: SiweMethodDeps,
  repos: Repositories,
  tenant: TenantRecord,
  input: { message: string; signature: string },
): Promise<Authentication> {
  const settings = methodSettings(tenant, 'siwe');
  if (!settings.ok) return settings;
  const checked = await verifySiweMessage({
    message: input.message,
    signature: input.signature,
    settings: settings.value,
    // Another tenant's nonce is not found, hence left alone.
    consumeNonce: async (nonce) =>
      (await deps.challenges.consumeByValue(repos.challenges, nonce, {
        purpose: 'siwe',
        tenantId: tenant.id,
      })) !== null,
    clock: deps.clock,
    toleranceSeconds: deps.toleranceSeconds,
  });
  return checked.ok ? { ok: true, identity: checked.value } : checked;
}

/**
 * A SIWE nonce of 256 random bits (64 hex digits: EIP-4361 wants alphanumeric) for one message to the
 * tenant, single use, `SIWE_NONCE_TTL_SECONDS`. Only its hash is stored.
 */
export function issueSiweNonce(
  challenges: Challenges,
  repos: Repositories,
  tenantId: string,
): Promise<IssuedChallenge> {
  return challenges.issue(repos.challenges, {
    purpose: 'siwe',
    ttlSeconds: SIWE_NONCE_TTL_SECONDS,
    encoding: 'hex',
    tenantId,
  });
}
