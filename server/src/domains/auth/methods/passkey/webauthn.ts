import type { PasskeyCredential as PasskeyCredentialDto, PasskeySettings } from '@enforcer/contract';
import type { IPasskeyCredential } from '../../../../entities/passkeys.js';
import type { ITenant } from '../../../../entities/tenants.js';

/** A ceremony's challenge works this long (WebAuthn's `timeout` says the same). */
export const PASSKEY_CHALLENGE_TTL_SECONDS = 300;

/** ES256, EdDSA, RS256: what platform authenticators and security keys use. */
export const SUPPORTED_ALGORITHMS = [-7, -8, -257];

/** The relying party of a tenant: its id, the origins ceremonies may come from, the name shown. */
export const relyingParty = (tenant: ITenant, settings: PasskeySettings) => ({
  rpID: settings.rp_id,
  rpName: settings.rp_name ?? tenant.name,
  origins: settings.origins,
});

/**
 * Why a WebAuthn verification failed, for the audit log, from @simplewebauthn's error message (the
 * caller always gets the same `401 invalid_credentials`).
 */
export function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/origin/i.test(message)) return 'wrong_origin';
  if (/RP ID/i.test(message)) return 'wrong_rp_id';
  if (/challenge/i.test(message)) return 'challenge_mismatch';
  if (/user verif/i.test(message)) return 'user_not_verified';
  if (/type/i.test(message)) return 'wrong_type';
  if (/signature/i.test(message)) return 'bad_signature';
  return 'invalid_response';
}

export const toPasskeyCredential = (row: IPasskeyCredential): PasskeyCredentialDto => ({
  id: row.id,
  credential_id: row.credentialId,
  name: row.name ?? null,
  rp_id: row.rpId,
  device_type: row.deviceType === 'multiDevice' ? 'multiDevice' : 'singleDevice',
  backed_up: row.backedUp,
  transports: [...row.transports],
  created_at: row.createdAt.toISOString(),
  last_used_at: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
});
