import type { contract } from '@enforcer/contract';
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { deriveKey, hmacSha256 } from '../../../../lib/crypto.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { Person } from '../../../identity/entities.js';
import { sha256Hex } from '../../challenges/challenge-store.js';
import { authContext, tenantByCode } from '../../context.js';
import { assertAcceptsMethod } from '../../methods/accepts.js';
import { methodKit } from '../../methods/kit.js';
import { settingsFor, trySettingsFor } from '../../methods/settings.js';
import { login } from '../../routes/login.js';
import type { Authentication, LoginStrategy } from '../../strategy.js';
import { PasskeyCredential } from './entities.js';
import { failureReason, PASSKEY_CHALLENGE_TTL_SECONDS, relyingParty } from './webauthn.js';

const refused = (reason: string, detail = 'The passkey could not be verified'): Authentication => ({
  ok: false,
  error: new AppError('invalid_credentials', detail),
  reason,
});

/**
 * `passkey`: a WebAuthn assertion (`POST /auth/passkey/login/finish`, or `POST /auth/login` with
 * `provider: passkey`) for a challenge from `POST /auth/passkey/login/begin`:
 * - the challenge is this tenant's, live, and spent now (single use, whatever the outcome);
 * - the credential is registered, for this tenant's relying party id; a user handle, when sent, is its
 *   owner's;
 * - the signature, origin (one of the tenant's), relying party id, user presence and verification verify;
 * - the signature counter moves forward: a counter that does not (a cloned authenticator) is refused and
 *   audited (`auth.passkey.counter_regression`). Authenticators that do not count (always 0) pass.
 * The person is the credential's owner.
 */
export const passkeyStrategy = {
  id: 'passkey',
  amr: ['hwk'],
  async authenticate(ctx, body) {
    const settings = trySettingsFor(ctx.tenant, 'passkey');
    if (!settings.ok) return { ok: false, error: settings.error, reason: 'not_configured' };
    const rp = relyingParty(ctx.tenant, settings.settings);
    const challenge = await methodKit(ctx.services).challenges.consumeById(ctx.em, body.challenge_id, {
      purpose: 'passkey_login',
      tenantId: ctx.tenant.id,
    });
    if (!challenge) {
      return {
        ok: false,
        error: new AppError(
          'challenge_invalid',
          'The challenge is unknown, already used or expired: begin again',
        ),
        reason: 'challenge_invalid',
      };
    }
    const credential = await ctx.em.findOne(PasskeyCredential, { credentialId: body.credential.id });
    if (!credential) return refused('unknown_credential');
    if (credential.rpId !== rp.rpID) return refused('wrong_rp_id');
    const handle = body.credential.response.userHandle;
    if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== credential.person.id) {
      return refused('user_handle_mismatch');
    }

    let newCounter: number;
    try {
      const verified = await verifyAuthenticationResponse({
        response: body.credential,
        expectedChallenge: (value) => sha256Hex(value) === challenge.valueHash,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpID,
        // The counter is compared below, after the signature is known to be good, to audit regressions.
        credential: {
          id: credential.credentialId,
          publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
          counter: 0,
          transports: [...credential.transports] as never,
        },
        requireUserVerification: true,
      });
      if (!verified.verified) return refused('not_verified');
      newCounter = verified.authenticationInfo.newCounter;
      credential.backedUp = verified.authenticationInfo.credentialBackedUp;
    } catch (error) {
      return refused(failureReason(error));
    }

    const stored = credential.counter;
    if ((newCounter > 0 || stored > 0) && newCounter <= stored) {
      recordAudit(ctx.em, ctx.services.clock, {
        action: 'auth.passkey.counter_regression',
        actor: { type: 'person', id: credential.person.id },
        tenantId: ctx.tenant.id,
        target: { type: 'passkey_credential', id: credential.id },
        ...ctx.client,
        details: { stored_counter: stored, presented_counter: newCounter, rp_id: rp.rpID },
      });
      return refused(
        'counter_regression',
        'The passkey could not be verified (its signature counter went backwards)',
      );
    }
    credential.counter = newCounter;
    credential.lastUsedAt = ctx.services.clock.now();
    await ctx.em.flush();
    return { ok: true, identity: { personId: credential.person.id } };
  },
} satisfies LoginStrategy<'passkey'>;

/**
 * `POST /auth/passkey/login/begin`: request options for the tenant's relying party, with a challenge (32
 * random bytes, stored hashed, this tenant's, single use, five minutes). Without `email`, no
 * `allowCredentials`: the authenticator offers its discoverable credentials. With `email`, the person's
 * passkeys for this relying party; an email with none (or nobody's) gets one stand-in credential id
 * derived from the email under a server key, so the answer has the same shape and is stable.
 */
export const passkeyLoginBegin: AppRouteImplementation<typeof contract.auth.passkeyLoginBegin> = async ({
  body,
  request,
}) => {
  const { services, em } = authContext(request);
  const tenant = await tenantByCode(em, body.tenant_code);
  assertAcceptsMethod(tenant, 'passkey');
  const rp = relyingParty(tenant, settingsFor(tenant, 'passkey'));
  let allowCredentials: { id: string; transports?: never[] }[] | undefined;
  if (body.email) {
    const person = await em.findOne(Person, { email: body.email });
    const credentials = person ? await em.find(PasskeyCredential, { person: person.id, rpId: rp.rpID }) : [];
    allowCredentials =
      credentials.length > 0
        ? credentials.map((credential) => ({
            id: credential.credentialId,
            transports: credential.transports as never[],
          }))
        : [
            {
              id: decoyCredentialId(services.config.masterKey, tenant.id, body.email),
              transports: ['internal', 'hybrid'] as never[],
            },
          ];
  }
  const issued = await em.transactional((tx) =>
    methodKit(services).challenges.issue(tx, {
      purpose: 'passkey_login',
      ttlSeconds: PASSKEY_CHALLENGE_TTL_SECONDS,
      encoding: 'base64url',
      tenantId: tenant.id,
    }),
  );
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: new Uint8Array(Buffer.from(issued.value, 'base64url')),
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    userVerification: 'required',
    ...(allowCredentials ? { allowCredentials } : {}),
  });
  return {
    status: 200,
    body: { challenge_id: issued.id, options: { ...options }, expires_at: issued.expiresAt.toISOString() },
  };
};

const decoyCredentialId = (masterKey: Buffer, tenantId: string, email: string) =>
  hmacSha256(deriveKey(masterKey, 'passkey-decoy'), `passkey-decoy/v1\n${tenantId}\n${email}`).toString(
    'base64url',
  );

/** `POST /auth/passkey/login/finish`: `POST /auth/login` with `provider: passkey` (one login flow). */
export const passkeyLoginFinish: AppRouteImplementation<typeof contract.auth.passkeyLoginFinish> = async (
  args,
) => login({ ...args, body: { provider: 'passkey', ...args.body } } as never) as never;
