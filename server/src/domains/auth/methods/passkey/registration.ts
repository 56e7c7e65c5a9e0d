import type {
  PasskeyRegisterBeginBody,
  PasskeyRegisterBeginResponse,
  PasskeyRegisterFinishBody,
} from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import { Person } from '../../../../entities/accounts.js';
import { type IPasskeyCredential, PasskeyCredential } from '../../../../entities/passkeys.js';
import { Tenant } from '../../../../entities/tenants.js';
import type { UserPrincipal } from '../../../../http/principal.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { sha256Hex } from '../../challenges/challenge-store.js';
import { type AuthRequestContext, committed, refuse, success } from '../../context.js';
import { assertAcceptsMethod, settingsFor } from '../settings.js';
import {
  failureReason,
  PASSKEY_CHALLENGE_TTL_SECONDS,
  relyingParty,
  SUPPORTED_ALGORITHMS,
} from './webauthn.js';

/**
 * Registration begins (signed in): creation options for the tenant's relying party. The
 * challenge is 32 random bytes, stored hashed, bound to the person and the tenant, single use, five
 * minutes. The WebAuthn user id is the person id (so an authenticator replaces, not piles up, the
 * person's passkey for this site); their existing passkeys are excluded. Discoverable credentials and user
 * verification are required: a passkey signs in on its own.
 */
export async function beginPasskeyRegistration(
  { services, em }: AuthRequestContext,
  user: UserPrincipal,
  body: PasskeyRegisterBeginBody,
): Promise<PasskeyRegisterBeginResponse> {
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  assertAcceptsMethod(tenant, 'passkey');
  const rp = relyingParty(tenant, settingsFor(tenant, 'passkey'));
  const person = await em.findOneOrFail(Person, user.personId);
  const existing = await em.find(PasskeyCredential, { person: person.id, rpId: rp.rpID });
  const issued = await em.transactional((tx) =>
    services.challenges.issue(tx, {
      purpose: 'passkey_register',
      ttlSeconds: PASSKEY_CHALLENGE_TTL_SECONDS,
      encoding: 'base64url',
      tenantId: tenant.id,
      personId: person.id,
      data: body.name ? { name: body.name } : null,
    }),
  );
  const name = person.email ?? `${tenant.name} user ${person.id.slice(0, 8)}`;
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userID: new TextEncoder().encode(person.id),
    userName: name,
    userDisplayName: name,
    challenge: new Uint8Array(Buffer.from(issued.value, 'base64url')),
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((credential) => ({
      id: credential.credentialId,
      transports: [...credential.transports],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
  return { challenge_id: issued.id, options: { ...options }, expires_at: issued.expiresAt.toISOString() };
}

/**
 * Registration finishes: checks the attestation (`none` and the other formats
 * @simplewebauthn verifies) against the challenge (spent now, whatever the outcome), the tenant's origins
 * and relying party id, user presence and verification; stores the credential (public key, counter,
 * transports, backup state). A credential id registered before is `409 conflict`. Failures are audited
 * (`auth.passkey.register_failed` with a reason) and answer `401 invalid_credentials`
 * (`challenge_invalid` for an unknown, used, expired or foreign challenge).
 */
export async function finishPasskeyRegistration(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: PasskeyRegisterFinishBody,
): Promise<IPasskeyCredential> {
  const { clock } = services;
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  assertAcceptsMethod(tenant, 'passkey');
  const rp = relyingParty(tenant, settingsFor(tenant, 'passkey'));
  const failed = (tx: EntityManager, reason: string, error: AppError) => {
    recordAudit(tx, clock, {
      action: 'auth.passkey.register_failed',
      actor: { type: 'account', id: user.accountId },
      tenantId: tenant.id,
      target: { type: 'person', id: user.personId },
      ...client,
      details: { reason, rp_id: rp.rpID },
    });
    return refuse(error);
  };

  return committed(em, async (tx) => {
    const challenge = await services.challenges.consumeById(tx, body.challenge_id, {
      purpose: 'passkey_register',
      tenantId: tenant.id,
      personId: user.personId,
    });
    if (!challenge) {
      return failed(
        tx,
        'challenge_invalid',
        new AppError('challenge_invalid', 'The challenge is unknown, already used or expired: begin again'),
      );
    }
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response: body.credential,
        expectedChallenge: (value) => sha256Hex(value) === challenge.valueHash,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpID,
        requireUserVerification: true,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      });
    } catch (error) {
      return failed(
        tx,
        failureReason(error),
        new AppError('invalid_credentials', 'The passkey could not be verified'),
      );
    }
    if (!verified.verified) {
      return failed(
        tx,
        'not_verified',
        new AppError('invalid_credentials', 'The passkey could not be verified'),
      );
    }
    const info = verified.registrationInfo;
    if (await tx.count(PasskeyCredential, { credentialId: info.credential.id })) {
      return failed(
        tx,
        'duplicate_credential',
        new AppError('conflict', 'This passkey is already registered'),
      );
    }
    const now = clock.now();
    const storedName = typeof challenge.data?.name === 'string' ? challenge.data.name : null;
    const credential = tx.create(PasskeyCredential, {
      person: tx.getReference(Person, user.personId),
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: [...(info.credential.transports ?? body.credential.response.transports ?? [])],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      rpId: rp.rpID,
      aaguid: info.aaguid,
      name: body.name ?? storedName,
      createdAt: now,
      lastUsedAt: null,
    });
    await tx.flush();
    recordAudit(tx, clock, {
      action: 'auth.passkey.registered',
      actor: { type: 'account', id: user.accountId },
      tenantId: tenant.id,
      target: { type: 'passkey_credential', id: credential.id },
      ...client,
      details: { rp_id: rp.rpID, device_type: credential.deviceType, aaguid: credential.aaguid },
    });
    return success(credential);
  });
}
