import type { PasskeyCredential, PasskeySettings } from '@enforcer/contract';
import { Challenges, challengeHash } from '../challenges/challenges.js';
import { AppError } from '../errors.js';
import { type Clock, type Hashing, type RandomSource, webCryptoHashing } from '../platform.js';
import type { Repositories } from '../store.js';
import { authSettingsOf } from '../tenants/auth-settings.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { PasskeyRecord } from './ports.js';
import type { WebAuthnVerifier } from './webauthn.js';

/** What the passkey rules are built with besides storage. */
export interface PasskeyDeps {
  clock: Clock;
  random: RandomSource;
  webauthn: WebAuthnVerifier;
  /**
   * The key stand-in credential ids are derived under (`POST /auth/passkey/login/begin` with an email that
   * has no passkey): secret and stable, so the answer has the same shape as a real one and does not change.
   */
  decoyKey: Uint8Array;
  hashing?: Hashing;
}

/** The deps with the ceremony challenges' service built over them. */
export interface PasskeyKit extends Required<PasskeyDeps> {
  challenges: Challenges;
}

export const passkeyKit = (deps: PasskeyDeps): PasskeyKit => {
  const hashing = deps.hashing ?? webCryptoHashing;
  return {
    ...deps,
    hashing,
    challenges: new Challenges({ clock: deps.clock, random: deps.random, hashing }),
  };
};

/** Does `value` hash to the stored challenge's hash? (Challenges are kept hashed.) */
export const isChallenge = (hashing: Hashing, valueHash: string) => async (value: string) =>
  (await challengeHash(hashing, value)) === valueHash;

/** The tenant's passkey settings, or why there are none (`provider_not_configured`). */
export function passkeySettings(
  tenant: TenantRecord,
): { ok: true; settings: PasskeySettings } | { ok: false; error: AppError } {
  const settings = authSettingsOf(tenant.authSettings).passkey;
  if (settings) return { ok: true, settings };
  return {
    ok: false,
    error: new AppError(
      'provider_not_configured',
      'This tenant accepts passkey sign-in but has not configured it (PATCH /tenants/{id} auth_settings.passkey)',
    ),
  };
}

/** A ceremony start or a registration: the tenant must accept passkeys (`403`) and have configured them. */
export function acceptedSettings(tenant: TenantRecord): PasskeySettings {
  if (!tenant.authProviders.includes('passkey')) {
    throw new AppError('provider_not_allowed', 'This tenant does not accept passkey sign-in');
  }
  const settings = passkeySettings(tenant);
  if (!settings.ok) throw settings.error;
  return settings.settings;
}

/**
 * How many ways the person can sign in: a verified email, each linked identity, each passkey. Removing
 * one must leave at least one (`409 last_identity`).
 */
export async function assertNotLastMethod(repos: Repositories, personId: string): Promise<void> {
  const [person, identities, passkeys] = await Promise.all([
    repos.persons.find(personId),
    repos.identities.ofPerson(personId),
    repos.passkeys.ofPerson(personId),
  ]);
  const count = (person?.email && person.emailVerifiedAt ? 1 : 0) + identities.length + passkeys.length;
  if (count <= 1) {
    throw new AppError(
      'last_identity',
      'This is your only way to sign in: add another method before removing this one',
    );
  }
}

export const toPasskeyCredential = (row: PasskeyRecord): PasskeyCredential => ({
  id: row.id,
  credential_id: row.credentialId,
  name: row.name,
  rp_id: row.rpId,
  device_type: row.deviceType,
  backed_up: row.backedUp,
  transports: [...row.transports] as PasskeyCredential['transports'],
  created_at: row.createdAt.toISOString(),
  last_used_at: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
});
