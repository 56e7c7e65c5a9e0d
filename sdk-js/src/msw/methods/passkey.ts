import type {
  AuthenticationResponse,
  PasskeyCredential,
  PasskeyLoginBody,
  PasskeySettings,
  RegistrationResponse,
} from '@enforcer/contract';
import { base64url, randomBytes, sha256, uuid } from '../crypto';
import { MockError } from '../problem';
import { iso, type MockStore, type PasskeyChallengeRow, type PasskeyRow, type TenantRow } from '../store';
import { trySettingsFor } from './settings';
import type { Authentication } from './sign-in';

/**
 * Passkeys as the server's server/src/domains/auth/strategies/passkey/, verified with
 * @simplewebauthn/server (an optional peer dependency of `@enforcer/sdk-js/msw`, loaded on first use).
 */

/** A ceremony's challenge works this long (WebAuthn's `timeout` says the same). */
export const PASSKEY_CHALLENGE_TTL_SECONDS = 300;
/** ES256, EdDSA, RS256. */
const SUPPORTED_ALGORITHMS = [-7, -8, -257];

export const loadWebAuthn = () => import('@simplewebauthn/server');

export const relyingParty = (tenant: TenantRow, settings: PasskeySettings) => ({
  rpID: settings.rp_id,
  rpName: settings.rp_name ?? tenant.name,
  origins: settings.origins,
});

const challengeInvalid = () =>
  new MockError('challenge_invalid', 'The challenge is unknown, already used or expired: begin again');

/** Issues a ceremony challenge: 32 random bytes, single use, five minutes. */
export function issuePasskeyChallenge(
  store: MockStore,
  input: Omit<PasskeyChallengeRow, 'value' | 'expiresAt'>,
): { id: string; value: string; bytes: Uint8Array; expiresAt: number } {
  // Expired ones go as new ones come (the server sweeps them).
  const now = store.now();
  for (const [id, row] of store.passkeyChallenges)
    if (row.expiresAt <= now) store.passkeyChallenges.delete(id);
  const bytes = randomBytes(32);
  const row: PasskeyChallengeRow = {
    ...input,
    value: base64url(bytes),
    expiresAt: now + PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
  };
  const id = uuid();
  store.passkeyChallenges.set(id, row);
  return { id, value: row.value, bytes, expiresAt: row.expiresAt };
}

/** Spends a challenge (whatever comes next): this purpose, tenant (and person), still live. */
export function consumePasskeyChallenge(
  store: MockStore,
  id: string,
  expected: { purpose: PasskeyChallengeRow['purpose']; tenantId: string; personId?: string },
): PasskeyChallengeRow | undefined {
  const row = store.passkeyChallenges.get(id);
  if (
    !row ||
    row.purpose !== expected.purpose ||
    row.tenantId !== expected.tenantId ||
    (expected.personId !== undefined && row.personId !== expected.personId)
  ) {
    return undefined;
  }
  store.passkeyChallenges.delete(id);
  return row.expiresAt > store.now() ? row : undefined;
}

export const toPasskeyCredential = (row: PasskeyRow): PasskeyCredential => ({
  id: row.id,
  credential_id: row.credentialId,
  name: row.name,
  rp_id: row.rpId,
  device_type: row.deviceType,
  backed_up: row.backedUp,
  transports: [...row.transports] as PasskeyCredential['transports'],
  created_at: iso(row.createdAt),
  last_used_at: row.lastUsedAt === null ? null : iso(row.lastUsedAt),
});

export const passkeysOf = (store: MockStore, personId: string) =>
  [...store.passkeys.values()]
    .filter((row) => row.personId === personId)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));

/** `POST /auth/passkey/register/begin` options (the user id is the person id; existing passkeys excluded). */
export async function registrationOptions(
  store: MockStore,
  tenant: TenantRow,
  settings: PasskeySettings,
  personId: string,
  name: string | undefined,
) {
  const { generateRegistrationOptions } = await loadWebAuthn();
  const rp = relyingParty(tenant, settings);
  const person = store.persons.get(personId)!;
  const existing = passkeysOf(store, personId).filter((row) => row.rpId === rp.rpID);
  const issued = issuePasskeyChallenge(store, {
    purpose: 'passkey_register',
    tenantId: tenant.id,
    personId,
    name: name ?? null,
  });
  const userName = person.email ?? `${tenant.name} user ${person.id.slice(0, 8)}`;
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userID: new TextEncoder().encode(person.id),
    userName,
    userDisplayName: userName,
    challenge: issued.bytes as Uint8Array<ArrayBuffer>,
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((row) => ({
      id: row.credentialId,
      transports: [...row.transports] as never,
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
  return { challenge_id: issued.id, options: { ...options }, expires_at: iso(issued.expiresAt) };
}

/** `POST /auth/passkey/register/finish`: the attestation against the spent challenge, origins and rp id. */
export async function registerPasskey(
  store: MockStore,
  tenant: TenantRow,
  settings: PasskeySettings,
  personId: string,
  body: { challenge_id: string; credential: RegistrationResponse; name?: string },
): Promise<PasskeyRow> {
  const rp = relyingParty(tenant, settings);
  const challenge = consumePasskeyChallenge(store, body.challenge_id, {
    purpose: 'passkey_register',
    tenantId: tenant.id,
    personId,
  });
  if (!challenge) throw challengeInvalid();
  const { verifyRegistrationResponse } = await loadWebAuthn();
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: body.credential as never,
      expectedChallenge: (value) => value === challenge.value,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  } catch {
    throw new MockError('invalid_credentials', 'The passkey could not be verified');
  }
  if (!verified.verified) throw new MockError('invalid_credentials', 'The passkey could not be verified');
  const info = verified.registrationInfo;
  if ([...store.passkeys.values()].some((row) => row.credentialId === info.credential.id)) {
    throw new MockError('conflict', 'This passkey is already registered');
  }
  const row: PasskeyRow = {
    id: uuid(),
    personId,
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: [...(info.credential.transports ?? body.credential.response.transports ?? [])],
    deviceType: info.credentialDeviceType === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: info.credentialBackedUp,
    rpId: rp.rpID,
    name: body.name ?? challenge.name,
    createdAt: store.now(),
    lastUsedAt: null,
  };
  store.passkeys.set(row.id, row);
  return row;
}

/**
 * `POST /auth/passkey/login/begin` options. Without `email`, no `allowCredentials`; with `email`, the
 * person's passkeys for this relying party, or one stable stand-in id for an email with none.
 */
export async function authenticationOptions(
  store: MockStore,
  tenant: TenantRow,
  settings: PasskeySettings,
  email: string | undefined,
) {
  const { generateAuthenticationOptions } = await loadWebAuthn();
  const rp = relyingParty(tenant, settings);
  let allowCredentials: { id: string; transports?: never[] }[] | undefined;
  if (email) {
    const person = store.personByEmail(email);
    const rows = person ? passkeysOf(store, person.id).filter((row) => row.rpId === rp.rpID) : [];
    allowCredentials =
      rows.length > 0
        ? rows.map((row) => ({ id: row.credentialId, transports: row.transports as never[] }))
        : [
            {
              id: await sha256(`passkey-decoy/v1\n${tenant.id}\n${email}`),
              transports: ['internal', 'hybrid'] as never[],
            },
          ];
  }
  const issued = issuePasskeyChallenge(store, {
    purpose: 'passkey_login',
    tenantId: tenant.id,
    personId: null,
    name: null,
  });
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: issued.bytes as Uint8Array<ArrayBuffer>,
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    userVerification: 'required',
    ...(allowCredentials ? { allowCredentials } : {}),
  });
  return { challenge_id: issued.id, options: { ...options }, expires_at: iso(issued.expiresAt) };
}

const refused = (reason: string, detail = 'The passkey could not be verified'): Authentication => ({
  ok: false,
  error: new MockError('invalid_credentials', detail),
  reason,
});

/** The server's `passkeyStrategy`: the challenge spent, the credential of this rp id, the counter forward. */
export async function verifyPasskeyAssertion(
  store: MockStore,
  tenant: TenantRow,
  body: Pick<PasskeyLoginBody, 'challenge_id' | 'credential'>,
): Promise<Authentication> {
  const configured = trySettingsFor(store, tenant, 'passkey');
  if (!configured.ok) return configured;
  const rp = relyingParty(tenant, configured.settings);
  const challenge = consumePasskeyChallenge(store, body.challenge_id, {
    purpose: 'passkey_login',
    tenantId: tenant.id,
  });
  if (!challenge) return { ok: false, error: challengeInvalid(), reason: 'challenge_invalid' };
  const credential: AuthenticationResponse = body.credential;
  const row = [...store.passkeys.values()].find((r) => r.credentialId === credential.id);
  if (!row) return refused('unknown_credential');
  if (row.rpId !== rp.rpID) return refused('wrong_rp_id');
  const handle = credential.response.userHandle;
  if (handle && new TextDecoder().decode(base64urlDecode(handle)) !== row.personId) {
    return refused('user_handle_mismatch');
  }
  const { verifyAuthenticationResponse } = await loadWebAuthn();
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response: credential as never,
      expectedChallenge: (value) => value === challenge.value,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpID,
      credential: {
        id: row.credentialId,
        publicKey: row.publicKey as Uint8Array<ArrayBuffer>,
        counter: 0,
        transports: [...row.transports] as never,
      },
      requireUserVerification: true,
    });
    if (!verified.verified) return refused('not_verified');
    newCounter = verified.authenticationInfo.newCounter;
    row.backedUp = verified.authenticationInfo.credentialBackedUp;
  } catch {
    return refused('invalid_response');
  }
  if ((newCounter > 0 || row.counter > 0) && newCounter <= row.counter) {
    return refused(
      'counter_regression',
      'The passkey could not be verified (its signature counter went backwards)',
    );
  }
  row.counter = newCounter;
  row.lastUsedAt = store.now();
  return { ok: true, identity: { personId: row.personId } };
}

function base64urlDecode(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
