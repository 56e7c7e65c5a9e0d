import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { PasskeyCredential } from '../../../../entities/passkeys.js';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { sha256Hex } from '../../challenges/challenge-store.js';
import type { Authentication, SignInMethod } from '../method.js';
import { trySettingsFor } from '../settings.js';
import { failureReason, relyingParty } from './webauthn.js';

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
export const passkeyMethod = {
  id: 'passkey',
  amr: ['hwk'],
  async authenticate(ctx, body) {
    const settings = trySettingsFor(ctx.tenant, 'passkey');
    if (!settings.ok) return { ok: false, error: settings.error, reason: 'not_configured' };
    const rp = relyingParty(ctx.tenant, settings.settings);
    const challenge = await ctx.services.challenges.consumeById(ctx.em, body.challenge_id, {
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
} satisfies SignInMethod<'passkey'>;
